using ActorChat.ChannelLayer;
using Microsoft.Extensions.Options;

namespace ActorChat.Consumers.Hosting;

/// <summary>Runs each options class's own <c>Validate()</c> at startup, so a bad value names its key before the node serves.</summary>
internal sealed class OptionsValidator : IValidateOptions<BridgeOptions>, IValidateOptions<ChannelLayerOptions>
{
    public ValidateOptionsResult Validate(string? name, BridgeOptions options) => From(options.Validate());

    public ValidateOptionsResult Validate(string? name, ChannelLayerOptions options) => From(options.Validate());

    private static ValidateOptionsResult From(IReadOnlyList<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}

using ActorChat.ChannelLayer;

namespace ActorChat.Consumers;

/// <summary>The channel layer at hand in a consumer: groups and direct sends.</summary>
public abstract partial class WebSocketConsumer
{
    /// <summary>Adds this consumer's channel to <paramref name="group"/>; group messages then reach its handlers.</summary>
    protected async Task GroupAddAsync(string group) =>
        await ChannelLayer.GroupAddAsync(group, ChannelName).ConfigureAwait(false);

    /// <summary>Removes this consumer's channel from <paramref name="group"/>.</summary>
    protected async Task GroupDiscardAsync(string group) =>
        await ChannelLayer.GroupDiscardAsync(group, ChannelName).ConfigureAwait(false);

    /// <summary>
    /// Sends <paramref name="message"/> (a <see cref="ChannelMessage"/>, or a record with
    /// <see cref="ChannelMessageTypeAttribute"/>) to every member of <paramref name="group"/>, this consumer included if it is one.
    /// </summary>
    protected async Task GroupSendAsync(string group, object message) =>
        await ChannelLayer.GroupSendAsync(group, ChannelMessage.From(message)).ConfigureAwait(false);

    /// <summary>Sends <paramref name="message"/> to one channel, such as another consumer's <see cref="ChannelName"/>.</summary>
    protected async Task SendToChannelAsync(string channel, object message) =>
        await ChannelLayer.SendAsync(channel, ChannelMessage.From(message)).ConfigureAwait(false);
}

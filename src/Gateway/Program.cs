using ActorChat.Gateway;
using ActorChat.Gateway.Configuration;
using Microsoft.Extensions.Options;

try
{
    var app = GatewayApp.Build(args);
    app.Lifetime.ApplicationStarted.Register(() =>
        Console.WriteLine($"ActorChat node listening on {string.Join(", ", app.Urls)} (chat page at /, metrics at /metrics)"));
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is HoconException or OptionsValidationException or InvalidConfigurationException or Akka.Configuration.ConfigurationException)
{
    // A bad configuration value: say which key, once, without a stack trace.
    Console.Error.WriteLine($"actorchat: cannot start: {ex.Message}");
    return 2;
}
catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    Console.Error.WriteLine($"actorchat: cannot start: {ex.Message} Choose another with --port, or stop what holds it.");
    return 2;
}

using ActorChat.Gateway;

var app = GatewayApp.Build(args);
app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"ActorChat node listening on {string.Join(", ", app.Urls)}"));
await app.RunAsync();

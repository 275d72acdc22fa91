var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls("http://127.0.0.1:8000");
var app = builder.Build();
app.MapGet("/", () => Results.Text("ActorChat node: the chat page arrives with the gateway issue.\n"));
Console.WriteLine("ActorChat node listening on http://127.0.0.1:8000");
app.Run();

using System.Reflection;

namespace ActorChat.Gateway.Web;

/// <summary>Serves the browser chat page from resources embedded in the node, so it works whatever the working directory.</summary>
public static class ChatPage
{
    private static readonly (string Path, string Resource, string ContentType)[] s_files =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/app.js", "app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "style.css", "text/css; charset=utf-8"),
    ];

    /// <summary>Maps the page and its script and style.</summary>
    public static void MapChatPage(this IEndpointRouteBuilder endpoints)
    {
        foreach (var (path, resource, contentType) in s_files)
        {
            var bytes = Load(resource);
            endpoints.MapGet(path, (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(bytes, contentType);
            });
        }
    }

    private static byte[] Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("ActorChat.Gateway.wwwroot." + name)
            ?? throw new InvalidOperationException($"The chat page resource {name} is missing from the build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

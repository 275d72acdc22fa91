namespace ActorChat.Consumers.Hosting;

/// <summary>How the Kestrel bridge runs each connection; bound from the <c>Bridge</c> configuration section.</summary>
public sealed class BridgeOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "Bridge";

    /// <summary>The largest message a client may send, in bytes; larger ones close the connection with 1009. The default is 1 MiB.</summary>
    public int MaxMessageSize { get; set; } = 1024 * 1024;

    /// <summary>Frames that may wait for a slow client before it is closed with 1013. The default is 512.</summary>
    public int OutgoingQueueCapacity { get; set; } = 512;

    /// <summary>Received messages that may wait for the consumer before the bridge stops reading the socket. The default is 32.</summary>
    public int ReceiveCredits { get; set; } = 32;

    /// <summary>How often the server pings an idle client. The default is 20 seconds.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a ping may go unanswered before the connection is dropped (so a silent client goes after 30 s). The default is 10 seconds.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a consumer may take to accept or refuse a connection before it is refused with 403. The default is 10 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the server waits for the client's half of a close handshake before dropping the connection. The default is 5 seconds.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a shutdown waits for connections to close with 1001 and leave their groups. The default is 10 seconds.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Origins allowed besides the request's own host, such as <c>https://chat.example.com</c>; <c>*</c> allows any.
    /// A request whose <c>Origin</c> is not allowed gets 403 before any actor starts. Empty by default.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>When true, a request without an <c>Origin</c> header (a non-browser client) is refused. The default is false.</summary>
    public bool RequireOrigin { get; set; }

    /// <summary>Every problem with these values, each naming its key; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        Positive(MaxMessageSize, nameof(MaxMessageSize));
        Positive(OutgoingQueueCapacity, nameof(OutgoingQueueCapacity));
        Positive(ReceiveCredits, nameof(ReceiveCredits));
        foreach (var (value, name) in new[]
        {
            (KeepAliveInterval, nameof(KeepAliveInterval)), (KeepAliveTimeout, nameof(KeepAliveTimeout)), (ConnectTimeout, nameof(ConnectTimeout)),
            (CloseTimeout, nameof(CloseTimeout)), (ShutdownTimeout, nameof(ShutdownTimeout)),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{SectionName}:{name} is {value}; it must be a positive duration such as 20s.");
            }
        }

        foreach (var origin in AllowedOrigins)
        {
            if (origin != "*" && !OriginValidator.TryNormalize(origin, out _))
            {
                errors.Add($"{SectionName}:AllowedOrigins has '{origin}'; use '*' or an origin such as https://chat.example.com.");
            }
        }

        return errors;

        void Positive(int value, string name)
        {
            if (value < 1)
            {
                errors.Add($"{SectionName}:{name} is {value}; it must be at least 1.");
            }
        }
    }
}

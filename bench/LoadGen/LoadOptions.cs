using System.Globalization;
using System.Net;

namespace ActorChat.LoadGen;

/// <summary>The command line of the load generator; every option has a default that runs a small test.</summary>
internal sealed record LoadOptions
{
    public string Scenario { get; init; } = "fanout";
    public Uri[] Urls { get; init; } = [new("http://127.0.0.1:8000")];
    public int Rooms { get; init; } = 1;
    public int Members { get; init; } = 10;
    public int Senders { get; init; } = 1;
    public int InFlight { get; init; } = 8;
    public double Rate { get; init; }
    public int Payload { get; init; } = 100;
    public double Warmup { get; init; } = 5;
    public double Duration { get; init; } = 15;
    public int Connections { get; init; } = 100;
    public int RoomSize { get; init; } = 10;
    public int ServerPid { get; init; }
    public IPAddress[] Bind { get; init; } = [];
    public string PathFormat { get; init; } = "/ws/chat/{0}/";
    public string Protocol { get; init; } = "chat";
    public bool Presence { get; init; } = true;
    public double StallMs { get; init; }

    public const string Usage = """
        usage: LoadGen fanout|echo|idle|presence [options]
          --url http://127.0.0.1:8000   node to load (ws:// is derived); several, comma-separated, spread the clients
                                        over nodes (member i of a room goes to node i mod N, so rooms span nodes)
          --rooms N --members N         fanout: rooms and members per room (default 1 x 10)
          --senders N                   senders per room, each also a member (default 1)
          --inflight N                  closed loop: messages in flight per sender (default 8)
          --rate R                      fixed rate: messages/s per sender instead of the closed loop
          --payload BYTES               message size (default 100)
          --warmup S --duration S       seconds of warm-up and of measurement (default 5 and 15)
          --connections N               echo: connections, each alone in its room; idle: connections to hold (default 100)
          --room-size N                 idle: members per room (default 10)
          --server-pid PID              idle: read the server's RSS from /proc to report bytes per connection
          --bind 127.0.0.2,127.0.0.3    local addresses to spread client sockets over (more than 64k connections)
          --path /ws/chat/{0}/          room path pattern (with --protocol signalr: the hub's path, default /hub)
          --presence on|off             presence: join with a nickname (tracked) or as plain members (default on)
          --stalls MS                   fanout, echo: list on stderr, with UTC times, each pause that delayed deliveries of
                                        the measured window by MS or more (line them up with a server trace: bench/stalls)
          --protocol chat|signalr       the chat protocol (ActorChat, bench/BareKestrel), or SignalR's JSON hub protocol
                                        (bench/SignalRHub: JoinRoom(room), SendToRoom(room, text), client method "message")
        """;

    /// <summary>The wire protocol for a client in <paramref name="room"/>.</summary>
    public WireProtocol WireFor(string room) => Protocol == "signalr" ? WireProtocol.SignalR(room) : WireProtocol.Chat(room);

    public static LoadOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            throw new ArgumentException(Usage);
        }

        var options = new LoadOptions { Scenario = args[0] };
        if (options.Scenario is not ("fanout" or "echo" or "idle" or "presence"))
        {
            throw new ArgumentException($"unknown scenario '{args[0]}'\n{Usage}");
        }

        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            var value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value\n{Usage}");
            options = name switch
            {
                "--url" => options with { Urls = value.Split(',').Select(u => new Uri(u)).ToArray() },
                "--rooms" => options with { Rooms = Int(name, value) },
                "--members" => options with { Members = Int(name, value) },
                "--senders" => options with { Senders = Int(name, value) },
                "--inflight" => options with { InFlight = Int(name, value) },
                "--rate" => options with { Rate = Number(name, value) },
                "--payload" => options with { Payload = Int(name, value) },
                "--warmup" => options with { Warmup = Number(name, value) },
                "--duration" => options with { Duration = Number(name, value) },
                "--connections" => options with { Connections = Int(name, value) },
                "--room-size" => options with { RoomSize = Int(name, value) },
                "--server-pid" => options with { ServerPid = Int(name, value) },
                "--bind" => options with { Bind = value.Split(',').Select(IPAddress.Parse).ToArray() },
                "--path" => options with { PathFormat = value },
                "--stalls" => options with { StallMs = Number(name, value) },
                "--presence" => value is "on" or "off" ? options with { Presence = value == "on" } : throw new ArgumentException($"--presence is on or off, not '{value}'"),
                "--protocol" => value is "chat" or "signalr"
                    ? options with { Protocol = value, PathFormat = value == "signalr" && options.PathFormat == "/ws/chat/{0}/" ? "/hub" : options.PathFormat }
                    : throw new ArgumentException($"--protocol is chat or signalr, not '{value}'"),
                _ => throw new ArgumentException($"unknown option {name}\n{Usage}"),
            };
        }

        if (options.Scenario == "echo")
        {
            options = options with { Rooms = options.Connections, Members = 1, Senders = 1 };
        }

        if (options.Senders > options.Members)
        {
            throw new ArgumentException("--senders cannot exceed --members: every sender is a member of its room");
        }

        return options;
    }

    private static int Int(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} needs a positive whole number, not '{value}'");

    private static double Number(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : throw new ArgumentException($"{name} needs a number, not '{value}'");
}

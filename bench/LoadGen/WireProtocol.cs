using System.Text;

namespace ActorChat.LoadGen;

/// <summary>
/// How a chat message travels: ActorChat's chat protocol (which the bare reference speaks too), or SignalR's JSON hub
/// protocol against bench/SignalRHub. Either way the text is <c>sender|seq|timestamp|padding</c>, so one parser checks both.
/// </summary>
internal sealed class WireProtocol
{
    private const byte RecordSeparator = 0x1e; // SignalR ends every JSON hub message with it; one frame may hold several

    private WireProtocol(string sendPrefix, string sendSuffix, string receivePrefix, bool signalR)
    {
        SendPrefix = Encoding.UTF8.GetBytes(sendPrefix);
        SendSuffix = Encoding.UTF8.GetBytes(sendSuffix);
        ReceivePrefix = Encoding.UTF8.GetBytes(receivePrefix);
        IsSignalR = signalR;
    }

    /// <summary>What comes before the text in a sent message.</summary>
    public byte[] SendPrefix { get; }

    /// <summary>What comes after the text in a sent message.</summary>
    public byte[] SendSuffix { get; }

    /// <summary>What comes before the text in a received chat message; anything else received is not a chat message.</summary>
    public byte[] ReceivePrefix { get; }

    public bool IsSignalR { get; }

    /// <summary><c>{"message":"…"}</c> both ways.</summary>
    public static WireProtocol Chat(string room) => new("{\"message\":\"", "\"}", "{\"message\":\"", signalR: false);

    /// <summary>An invocation of <c>SendToRoom(room, text)</c> out, the client method <c>message(text)</c> in.</summary>
    public static WireProtocol SignalR(string room) => new(
        $"{{\"type\":1,\"target\":\"SendToRoom\",\"arguments\":[\"{room}\",\"", "\"]}\u001e",
        "{\"type\":1,\"target\":\"message\",\"arguments\":[\"", signalR: true);

    /// <summary>
    /// After the WebSocket opened: for SignalR, the handshake and <c>JoinRoom(room)</c>, returning once the hub completed
    /// the invocation (the connection is in the group). A chat server joined the room before it answered the upgrade.
    /// </summary>
    public async Task StartAsync(RawWebSocket socket, string room, CancellationToken cancellationToken)
    {
        if (!IsSignalR)
        {
            return;
        }

        var start = Encoding.UTF8.GetBytes(
            "{\"protocol\":\"json\",\"version\":1}\u001e" +
            $"{{\"type\":1,\"invocationId\":\"join\",\"target\":\"JoinRoom\",\"arguments\":[\"{room}\"]}}\u001e");
        await socket.SendTextAsync(start, cancellationToken);
        using var joined = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var completion = "{\"type\":3,\"invocationId\":\"join\""u8.ToArray();
        try
        {
            await socket.ReceiveAsync(frame =>
            {
                foreach (var record in Records(frame))
                {
                    if (record.StartsWith(completion))
                    {
                        joined.Cancel(); // the receive stops here; the socket and its buffered bytes stay as they are
                    }
                }
            }, joined.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        if (!joined.IsCancellationRequested)
        {
            throw new InvalidOperationException("the hub closed the connection before JoinRoom completed");
        }
    }

    /// <summary>The messages in one received frame: the frame itself, or SignalR's records in it.</summary>
    public static RecordEnumerator Records(ReadOnlySpan<byte> frame) => new(frame);

    /// <summary>Splits a frame at SignalR's record separator without allocating; a frame without one is one record.</summary>
    internal ref struct RecordEnumerator(ReadOnlySpan<byte> rest)
    {
        private ReadOnlySpan<byte> _rest = rest;

        public ReadOnlySpan<byte> Current { get; private set; }

        public readonly RecordEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_rest.IsEmpty)
            {
                return false;
            }

            var end = _rest.IndexOf(RecordSeparator);
            Current = end < 0 ? _rest : _rest[..end];
            _rest = end < 0 ? default : _rest[(end + 1)..];
            return true;
        }
    }
}

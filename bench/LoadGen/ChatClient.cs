using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ActorChat.LoadGen;

/// <summary>
/// One connection of the load: a member of a room that checks every message it receives (per-sender order,
/// duplicates) and, if it is a sender, sends <c>sender|seq|timestamp|padding</c> in the server's protocol (for the chat
/// protocol <c>{"message":"…"}</c>).
/// </summary>
internal sealed class ChatClient(
    int room, string roomName, WireProtocol protocol, int senderIndex, int sendersInRoom, RunClock clock, StallLog? stalls = null)
{
    private readonly long[] _nextSeq = new long[sendersInRoom];
    private RawWebSocket? _socket;
    private SemaphoreSlim? _window;

    public int Room { get; } = room;

    public int SenderIndex { get; } = senderIndex;

    public long Sent { get; private set; }

    public long Received { get; private set; }

    public long Measured { get; private set; }

    public long Duplicates { get; private set; }

    public long Gaps { get; private set; }

    public LatencyHistogram Latency { get; } = new();

    public bool IsSender => SenderIndex >= 0;

    public async Task ConnectAsync(Uri uri, IPAddress? local, CancellationToken cancellationToken)
    {
        _socket = await RawWebSocket.ConnectAsync(uri, local, cancellationToken);
        await protocol.StartAsync(_socket, roomName, cancellationToken);
    }

    /// <summary>Receives until the socket closes or <paramref name="stop"/> fires; checks and times each message.</summary>
    public async Task ReceiveLoopAsync(CancellationToken stop)
    {
        try
        {
            await _socket!.ReceiveAsync(message => OnMessage(message, Stopwatch.GetTimestamp()), stop);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Closed loop (window of <paramref name="inFlight"/>) or fixed rate, until <paramref name="stopSending"/>.</summary>
    public async Task SendLoopAsync(int inFlight, double rate, int payload, CancellationToken stopSending)
    {
        var message = new byte[protocol.SendPrefix.Length + 64 + payload + protocol.SendSuffix.Length];
        _window = new SemaphoreSlim(inFlight, int.MaxValue);
        var interval = rate > 0 ? Stopwatch.Frequency / rate : 0;
        // Each sender starts at its own random phase of the interval: senders that all fire on the same tick send the
        // whole rate as one burst, and the latency measured is then the burst's queue, not the server's.
        var next = Stopwatch.GetTimestamp() + Random.Shared.NextDouble() * interval;
        try
        {
            while (!stopSending.IsCancellationRequested)
            {
                if (rate > 0)
                {
                    next += interval;
                    var wait = (long)next - Stopwatch.GetTimestamp();
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency), stopSending);
                    }
                }
                else
                {
                    await _window.WaitAsync(stopSending);
                }

                var length = Format(message, protocol, SenderIndex, Sent, Stopwatch.GetTimestamp(), payload);
                await _socket!.SendTextAsync(message.AsMemory(0, length), stopSending);
                Sent++;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async Task CloseAsync()
    {
        if (_socket is { IsClosed: false })
        {
            await _socket.CloseAsync(TimeSpan.FromSeconds(2));
        }

        _socket?.Dispose();
    }

    private void OnMessage(ReadOnlySpan<byte> frame, long now)
    {
        foreach (var record in WireProtocol.Records(frame))
        {
            OnRecord(record, now);
        }
    }

    private void OnRecord(ReadOnlySpan<byte> message, long now)
    {
        // prefix + "S|Q|T|padding": parse the three numbers without decoding the message.
        if (!message.StartsWith(protocol.ReceivePrefix))
        {
            return; // not a chat message (SignalR's pings and handshake answer, say)
        }

        var rest = message[protocol.ReceivePrefix.Length..];
        if (!Utf8Parser.TryParse(rest, out int sender, out var used) || sender < 0 || sender >= _nextSeq.Length)
        {
            return;
        }

        rest = rest[(used + 1)..];
        Utf8Parser.TryParse(rest, out long seq, out used);
        rest = rest[(used + 1)..];
        Utf8Parser.TryParse(rest, out long sentAt, out _);

        Received++;
        var expected = _nextSeq[sender];
        if (seq < expected)
        {
            Duplicates++;
        }
        else
        {
            if (seq > expected)
            {
                Gaps += seq - expected;
            }

            _nextSeq[sender] = seq + 1;
        }

        if (clock.IsMeasuring(now))
        {
            Measured++;
            var micros = (now - sentAt) * 1_000_000 / Stopwatch.Frequency;
            Latency.Record(micros);
            stalls?.Record(sentAt, micros);
        }

        if (sender == SenderIndex)
        {
            _window?.Release(); // our own message came back: one more may go
        }
    }

    private static int Format(byte[] buffer, WireProtocol protocol, int sender, long seq, long timestamp, int payload)
    {
        protocol.SendPrefix.CopyTo(buffer, 0);
        var at = protocol.SendPrefix.Length;
        Utf8Formatter.TryFormat(sender, buffer.AsSpan(at), out var written);
        at += written;
        buffer[at++] = (byte)'|';
        Utf8Formatter.TryFormat(seq, buffer.AsSpan(at), out written);
        at += written;
        buffer[at++] = (byte)'|';
        Utf8Formatter.TryFormat(timestamp, buffer.AsSpan(at), out written);
        at += written;
        buffer[at++] = (byte)'|';
        var padding = Math.Max(0, payload - (at - protocol.SendPrefix.Length));
        buffer.AsSpan(at, padding).Fill((byte)'x');
        at += padding;
        protocol.SendSuffix.CopyTo(buffer, at);
        return at + protocol.SendSuffix.Length;
    }

    /// <summary>The messages this client should have received: everything its room's senders sent.</summary>
    public long Expected(IReadOnlyList<ChatClient> roomSenders) => roomSenders.Sum(s => s.Sent);
}

/// <summary>When the measurement window is open.</summary>
internal sealed class RunClock
{
    private long _start = long.MaxValue;
    private long _end = long.MaxValue;

    public void Open(long start, long end)
    {
        Volatile.Write(ref _end, end);
        Volatile.Write(ref _start, start);
    }

    public bool IsMeasuring(long now) => now >= Volatile.Read(ref _start) && now < Volatile.Read(ref _end);
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace ActorChat.LoadGen;

/// <summary>
/// The generator's client WebSocket (RFC 6455), on a bare <see cref="Socket"/>. <see cref="System.Net.WebSockets.ClientWebSocket"/>
/// costs an async call per received frame, and one generator core then saturates before the server does. Here one
/// receive reads whatever the server flushed, often many frames, and they are parsed in place. Sends are one
/// masked frame per call. It answers pings and the close handshake; it is a load tool, not a general client.
/// </summary>
internal sealed class RawWebSocket : IDisposable
{
    private const string Rfc6455Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private readonly Socket _socket;
    private readonly SemaphoreSlim _sendGate = new(1, 1); // see SendFrameAsync
    private byte[] _sendBuffer = []; // sized on the first send: most clients of a fan-out only receive
    private byte[] _receiveBuffer = new byte[4 * 1024]; // grows when one frame is larger
    private byte[]? _fragments;
    private int _fragmentLength;
    private int _filled; // received bytes not parsed yet, at the front of the receive buffer
    private uint _maskSeed = (uint)Random.Shared.Next() | 1;
    private int _closeSent;

    private RawWebSocket(Socket socket) => _socket = socket;

    /// <summary>True once the server's close frame arrived or the connection ended.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>Connects and completes the opening handshake, sending <c>Origin</c> as a browser on the same host would.</summary>
    public static async Task<RawWebSocket> ConnectAsync(Uri uri, IPAddress? local, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (local is not null)
            {
                socket.Bind(new IPEndPoint(local, 0));
            }

            await socket.ConnectAsync(uri.Host, uri.Port, cancellationToken);
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var origin = (uri.Scheme == "wss" ? "https://" : "http://") + uri.Authority;
            var request = $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                          $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, cancellationToken);

            var client = new RawWebSocket(socket);
            await client.ReadHandshakeAsync(key, cancellationToken);
            return client;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one text message as one masked frame.</summary>
    public ValueTask SendTextAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        SendFrameAsync(0x1, payload, cancellationToken);

    /// <summary>
    /// Reads until the connection closes or <paramref name="cancellationToken"/> fires, handing each complete text
    /// message to <paramref name="onMessage"/>. Answers pings, and answers the server's close frame before returning.
    /// </summary>
    public async Task ReceiveAsync(MessageHandler onMessage, CancellationToken cancellationToken)
    {
        while (true)
        {
            var consumed = 0;
            while (TryParseFrame(_receiveBuffer.AsSpan(consumed, _filled - consumed), out var frameLength, out var opcode, out var fin, out var payloadStart, out var payloadLength))
            {
                var payload = _receiveBuffer.AsMemory(consumed + payloadStart, payloadLength);
                consumed += frameLength;
                if (opcode == 0x8)
                {
                    IsClosed = true;
                    await SendCloseAsync(CancellationToken.None);
                    return;
                }

                if (opcode == 0x9)
                {
                    await SendFrameAsync(0xA, payload, cancellationToken); // the receive loop waits here, so the payload's bytes stay put
                    continue;
                }

                if (opcode is 0x1 or 0x2 or 0x0)
                {
                    Deliver(payload.Span, fin, opcode == 0x0, onMessage);
                }
            }

            // Keep the partial frame at the front of the buffer, then read more.
            _receiveBuffer.AsSpan(consumed, _filled - consumed).CopyTo(_receiveBuffer);
            _filled -= consumed;
            if (_filled == _receiveBuffer.Length)
            {
                Array.Resize(ref _receiveBuffer, _receiveBuffer.Length * 2); // one frame larger than the buffer
            }

            var read = await _socket.ReceiveAsync(_receiveBuffer.AsMemory(_filled), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                IsClosed = true;
                return;
            }

            _filled += read;
        }
    }

    /// <summary>Starts the close handshake with 1000 and waits up to <paramref name="timeout"/> for the server to end it.</summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await SendCloseAsync(cts.Token);
            var drain = new byte[4096];
            while (await _socket.ReceiveAsync(drain, SocketFlags.None, cts.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _sendGate.Dispose();
    }

    /// <summary>A complete message's payload, valid only during the call.</summary>
    public delegate void MessageHandler(ReadOnlySpan<byte> message);

    private void Deliver(ReadOnlySpan<byte> payload, bool fin, bool continuation, MessageHandler onMessage)
    {
        if (fin && !continuation)
        {
            onMessage(payload); // the common case: one whole message, straight from the receive buffer
            return;
        }

        _fragments ??= new byte[4096];
        if (_fragmentLength + payload.Length > _fragments.Length)
        {
            Array.Resize(ref _fragments, Math.Max(_fragments.Length * 2, _fragmentLength + payload.Length));
        }

        payload.CopyTo(_fragments.AsSpan(_fragmentLength));
        _fragmentLength += payload.Length;
        if (fin)
        {
            onMessage(_fragments.AsSpan(0, _fragmentLength));
            _fragmentLength = 0;
        }
    }

    private static bool TryParseFrame(ReadOnlySpan<byte> data, out int frameLength, out int opcode, out bool fin, out int payloadStart, out int payloadLength)
    {
        frameLength = opcode = payloadStart = payloadLength = 0;
        fin = false;
        if (data.Length < 2)
        {
            return false;
        }

        fin = (data[0] & 0x80) != 0;
        opcode = data[0] & 0x0F;
        if ((data[1] & 0x80) != 0)
        {
            throw new InvalidDataException("the server sent a masked frame, which RFC 6455 §5.1 forbids");
        }

        long length = data[1] & 0x7F;
        var header = 2;
        if (length == 126)
        {
            if (data.Length < 4)
            {
                return false;
            }

            length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            header = 4;
        }
        else if (length == 127)
        {
            if (data.Length < 10)
            {
                return false;
            }

            length = (long)BinaryPrimitives.ReadUInt64BigEndian(data[2..]);
            header = 10;
        }

        if (length > int.MaxValue / 2)
        {
            throw new InvalidDataException($"frame of {length} bytes is larger than the generator handles");
        }

        if (data.Length < header + length)
        {
            return false;
        }

        payloadStart = header;
        payloadLength = (int)length;
        frameLength = header + payloadLength;
        return true;
    }

    /// <summary>Writes a masked client frame into the send buffer; returns its length.</summary>
    private int WriteFrame(int opcode, ReadOnlySpan<byte> payload)
    {
        var header = payload.Length < 126 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        if (header + 4 + payload.Length > _sendBuffer.Length)
        {
            _sendBuffer = new byte[Math.Max(256, header + 4 + payload.Length)];
        }

        var frame = _sendBuffer.AsSpan();
        frame[0] = (byte)(0x80 | opcode);
        if (header == 2)
        {
            frame[1] = (byte)(0x80 | payload.Length);
        }
        else if (header == 4)
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame[2..], (ushort)payload.Length);
        }
        else
        {
            frame[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame[2..], (ulong)payload.Length);
        }

        // xorshift32: a fresh mask per frame without a call into the crypto RNG on the hot path.
        _maskSeed ^= _maskSeed << 13;
        _maskSeed ^= _maskSeed >> 17;
        _maskSeed ^= _maskSeed << 5;
        var mask = frame.Slice(header, 4);
        BinaryPrimitives.WriteUInt32LittleEndian(mask, _maskSeed);
        var body = frame.Slice(header + 4, payload.Length);
        for (var i = 0; i < payload.Length; i++)
        {
            body[i] = (byte)(payload[i] ^ mask[i & 3]);
        }

        return header + 4 + payload.Length;
    }

    /// <summary>One frame at a time on the socket: the send loop's messages and the receive loop's pongs and close.</summary>
    private async ValueTask SendFrameAsync(int opcode, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _sendGate.WaitAsync(cancellationToken);
        try
        {
            var length = WriteFrame(opcode, payload.Span);
            await SendAllAsync(_sendBuffer.AsMemory(0, length), cancellationToken);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    private async ValueTask SendCloseAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _closeSent, 1) != 0)
        {
            return;
        }

        try
        {
            await SendFrameAsync(0x8, new byte[] { 0x03, 0xE8 }, cancellationToken); // 1000, normal closure
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await _socket.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[sent..];
        }
    }

    private async Task ReadHandshakeAsync(string key, CancellationToken cancellationToken)
    {
        // The response ends at the first blank line; frame bytes read with it stay in the receive buffer.
        int end;
        while ((end = _receiveBuffer.AsSpan(0, _filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (_filled == _receiveBuffer.Length)
            {
                throw new IOException($"the server's handshake response is larger than {_receiveBuffer.Length} bytes");
            }

            var read = await _socket.ReceiveAsync(_receiveBuffer.AsMemory(_filled), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new IOException("the server closed the connection during the handshake");
            }

            _filled += read;
        }

        var text = Encoding.ASCII.GetString(_receiveBuffer, 0, end);
        var status = text.Split("\r\n")[0];
        if (!status.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            throw new IOException($"the server refused the WebSocket: {status}");
        }

        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + Rfc6455Guid)));
        if (!text.Contains("Sec-WebSocket-Accept: " + accept, StringComparison.OrdinalIgnoreCase))
        {
            throw new IOException("the server's Sec-WebSocket-Accept does not match the key");
        }

        _filled -= end + 4;
        _receiveBuffer.AsSpan(end + 4, _filled).CopyTo(_receiveBuffer);
    }
}

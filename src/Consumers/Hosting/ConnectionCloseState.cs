using System.Net.WebSockets;

namespace ActorChat.Consumers.Hosting;

/// <summary>
/// How far one connection has got in closing, shared by its reader, writer and bridge. Each step is taken once, by
/// whichever side gets there first: the server starts a close (its code wins as the connection's end code), the
/// client's close frame arrives, the consumer is told the connection ended.
/// </summary>
internal sealed class ConnectionCloseState
{
    private int _serverCode; // 0 until the server starts a close
    private volatile bool _clientClosed;
    private int _consumerTold;

    /// <summary>The server has started a close: frames queued after it are dropped.</summary>
    public bool ServerClosing => Volatile.Read(ref _serverCode) != 0;

    /// <summary>The client's close frame arrived: nothing more is written but the answer to it.</summary>
    public bool ClientClosed => _clientClosed;

    /// <summary>Starts the server's close with <paramref name="code"/>; false when a close had already started.</summary>
    public bool TryStartServerClose(int code) => Interlocked.CompareExchange(ref _serverCode, code, 0) == 0;

    /// <summary>Records the client's close frame.</summary>
    public void MarkClientClosed() => _clientClosed = true;

    /// <summary>True the first time only: the consumer is told once that its connection ended.</summary>
    public bool TryTellConsumer() => Interlocked.Exchange(ref _consumerTold, 1) == 0;

    /// <summary>True once the consumer was told (it stopped because the connection ended, not by itself).</summary>
    public bool ConsumerTold => Volatile.Read(ref _consumerTold) != 0;

    /// <summary>The code the connection ended with: the server's if it closed first, else the client's, else 1006.</summary>
    public int EndCode(WebSocket socket)
    {
        var serverCode = Volatile.Read(ref _serverCode);
        if (serverCode != 0)
        {
            return serverCode;
        }

        return socket.CloseStatus is { } status ? (int)status : CloseCodes.Abnormal;
    }
}

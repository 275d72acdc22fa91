namespace ActorChat.Consumers.Hosting;

/// <summary>The data frames of one writer wake-up: taken from the queue up to a bound, stopping at a close frame.</summary>
internal sealed class FrameSource(FrameQueue queue, int max)
{
    private int _taken;

    /// <summary>The close frame met while taking, if any; the writer sends it after the batch.</summary>
    public OutgoingFrame? Close { get; private set; }

    public int Taken => _taken;

    public void Reset()
    {
        _taken = 0;
        Close = null;
    }

    public bool TryNext(out OutgoingFrame frame)
    {
        frame = default;
        if (Close is not null || _taken >= max || !queue.TryRead(out frame))
        {
            return false;
        }

        if (frame.Type == System.Net.WebSockets.WebSocketMessageType.Close)
        {
            Close = frame;
            return false;
        }

        _taken++;
        return true;
    }
}

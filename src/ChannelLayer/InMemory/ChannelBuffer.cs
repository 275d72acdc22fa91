namespace ActorChat.ChannelLayer.InMemory;

/// <summary>
/// The unreceived messages of one channel that no actor is bound to, with the receivers waiting for
/// them. Bounded by the channel's capacity; a message older than the expiry is dropped unreceived.
/// </summary>
internal sealed class ChannelBuffer(int capacity)
{
    private readonly Queue<(ChannelMessage Message, DateTimeOffset ExpiresAt)> _messages = new();
    private readonly Queue<TaskCompletionSource<ChannelMessage>> _receivers = new();
    private readonly Lock _gate = new();

    /// <summary>Hands the message to a waiting receiver or queues it. False when the channel is full.</summary>
    public bool TryWrite(ChannelMessage message, DateTimeOffset now, DateTimeOffset expiresAt, out int expired)
    {
        lock (_gate)
        {
            expired = DropExpired(now);
            while (_receivers.TryDequeue(out var receiver))
            {
                if (receiver.TrySetResult(message))
                {
                    return true; // cancelled receivers are skipped
                }
            }

            if (_messages.Count >= capacity)
            {
                return false;
            }

            _messages.Enqueue((message, expiresAt));
            return true;
        }
    }

    /// <summary>The next unexpired message, or a task that completes when one arrives.</summary>
    public ValueTask<ChannelMessage> ReadAsync(DateTimeOffset now, out int expired, CancellationToken cancellationToken)
    {
        TaskCompletionSource<ChannelMessage> receiver;
        lock (_gate)
        {
            expired = DropExpired(now);
            if (_messages.TryDequeue(out var ready))
            {
                return ValueTask.FromResult(ready.Message);
            }

            receiver = new TaskCompletionSource<ChannelMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            _receivers.Enqueue(receiver);
        }

        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(static state => ((TaskCompletionSource<ChannelMessage>)state!).TrySetCanceled(), receiver);
            receiver.Task.ContinueWith(static (_, state) => ((CancellationTokenRegistration)state!).Dispose(), registration, TaskScheduler.Default);
        }

        return new ValueTask<ChannelMessage>(receiver.Task);
    }

    /// <summary>Drops every queued message; waiting receivers keep waiting.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _messages.Clear();
        }
    }

    private int DropExpired(DateTimeOffset now)
    {
        var dropped = 0;
        while (_messages.TryPeek(out var head) && head.ExpiresAt <= now)
        {
            _messages.Dequeue();
            dropped++;
        }

        return dropped;
    }
}

using Akka.Actor;

namespace ActorChat.ChannelLayer.Cluster;

/// <summary>
/// The worker channels of the whole cluster (named channels no actor is bound to, which any node's worker may
/// <c>receive</c> from), as one cluster singleton: each channel is a bounded queue with expiry, and each message goes
/// to exactly one waiting receiver, in order. While the singleton moves (its node left), the proxies buffer what is
/// sent to it; what a crashed node's singleton held is lost, as with a layer's own buffers.
/// </summary>
internal sealed class WorkerQueues(CapacityPolicy capacity, ChannelLayerOptions options, TimeProvider time) : UntypedActor
{
    private readonly Dictionary<string, Queue> _queues = new(StringComparer.Ordinal);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Enqueue enqueue:
                Sender.Tell(Offer(enqueue.Channel, new Item(enqueue.Type, enqueue.Payload, time.GetUtcNow() + options.Expiry), front: false));
                break;
            case Requeue requeue:
                Offer(requeue.Channel, new Item(requeue.Type, requeue.Payload, time.GetUtcNow() + options.Expiry), front: true);
                break;
            case Dequeue dequeue:
                var queue = QueueOf(dequeue.Channel);
                var expired = queue.DropExpired(time.GetUtcNow());
                if (queue.Items.First is { } head)
                {
                    queue.Items.RemoveFirst();
                    Sender.Tell(new Dequeued(dequeue.Channel, dequeue.Ticket, head.Value.Type, head.Value.Payload, expired));
                }
                else
                {
                    queue.Waiting.AddLast((dequeue.Ticket, Sender));
                }

                break;
            case CancelDequeue cancel:
                if (_queues.TryGetValue(cancel.Channel, out var waiting))
                {
                    var node = waiting.Waiting.First;
                    while (node is not null && node.Value.Ticket != cancel.Ticket)
                    {
                        node = node.Next;
                    }

                    if (node is not null)
                    {
                        waiting.Waiting.Remove(node);
                    }
                }

                break;
            case FlushQueues:
                foreach (var q in _queues.Values)
                {
                    q.Items.Clear();
                }

                Sender.Tell(QueuesFlushed.Instance);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private Enqueued Offer(string channel, Item item, bool front)
    {
        var queue = QueueOf(channel);
        if (queue.Waiting.First is { } receiver)
        {
            queue.Waiting.RemoveFirst();
            receiver.Value.Receiver.Tell(new Dequeued(channel, receiver.Value.Ticket, item.Type, item.Payload, 0));
            return new Enqueued(true, queue.Capacity, 0);
        }

        var expired = queue.DropExpired(time.GetUtcNow());
        if (!front && queue.Items.Count >= queue.Capacity)
        {
            return new Enqueued(false, queue.Capacity, expired);
        }

        if (front)
        {
            queue.Items.AddFirst(item);
        }
        else
        {
            queue.Items.AddLast(item);
        }

        return new Enqueued(true, queue.Capacity, expired);
    }

    private Queue QueueOf(string channel)
    {
        if (!_queues.TryGetValue(channel, out var queue))
        {
            _queues[channel] = queue = new Queue(capacity.For(channel));
        }

        return queue;
    }

    private sealed record Item(string Type, byte[] Payload, DateTimeOffset ExpiresAt);

    private sealed class Queue(int capacity)
    {
        public int Capacity { get; } = capacity;

        public LinkedList<Item> Items { get; } = new();

        public LinkedList<(long Ticket, IActorRef Receiver)> Waiting { get; } = new();

        /// <summary>Drops the messages at the head that expired; returns how many.</summary>
        public int DropExpired(DateTimeOffset now)
        {
            var dropped = 0;
            while (Items.First is { } head && head.Value.ExpiresAt <= now)
            {
                Items.RemoveFirst();
                dropped++;
            }

            return dropped;
        }
    }
}

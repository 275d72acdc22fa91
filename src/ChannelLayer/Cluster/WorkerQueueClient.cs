using System.Collections.Concurrent;
using ActorChat.ChannelLayer.Rooms;
using Akka.Actor;

namespace ActorChat.ChannelLayer.Cluster;

/// <summary>
/// A node's access to the cluster's <see cref="WorkerQueues"/>: sends and receives on worker channels, and the rooms'
/// deliveries to members that are worker channels. Receives are tickets answered by this actor, so a receiver that
/// gave up (cancelled) never loses a message: one that arrives for it goes back to the front of its queue.
/// </summary>
internal sealed class WorkerQueueClient : UntypedActor
{
    private readonly IActorRef _queues;
    private readonly ChannelLayerStats _stats;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<ChannelMessage>> _receivers;

    public WorkerQueueClient(IActorRef queues, ChannelLayerStats stats, ConcurrentDictionary<long, TaskCompletionSource<ChannelMessage>> receivers)
    {
        _queues = queues;
        _stats = stats;
        _receivers = receivers;
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Dequeue dequeue:
                _queues.Tell(dequeue); // the answer comes here
                break;
            case CancelDequeue cancel:
                _queues.Tell(cancel);
                break;
            case Dequeued dequeued:
                CountExpired(dequeued.Expired);
                if (_receivers.TryRemove(dequeued.Ticket, out var receiver) && receiver.TrySetResult(ChannelMessage.FromPayloadJson(dequeued.Type, dequeued.Payload)))
                {
                    break;
                }

                _queues.Tell(new Requeue(dequeued.Channel, dequeued.Type, dequeued.Payload));
                break;
            case Enqueue enqueue:
                _queues.Tell(enqueue); // a room's delivery: the answer is counted here
                break;
            case Enqueued enqueued:
                CountExpired(enqueued.Expired);
                if (!enqueued.Accepted)
                {
                    _stats.DroppedFull(1); // the room counted it delivered when it handed it over
                }

                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void CountExpired(int expired)
    {
        if (expired > 0)
        {
            _stats.DroppedExpired(expired);
        }
    }
}

/// <summary>Where the cluster layer's rooms deliver to members that are plain channels: this node's buffers or the worker queues.</summary>
internal sealed class ClusterChannelSink(IChannelSink localBuffers, Func<IActorRef> client) : IChannelSink
{
    public bool TryDeliver(string channel, ChannelMessage message)
    {
        if (ChannelNames.IsProcessLocal(channel))
        {
            return localBuffers.TryDeliver(channel, message);
        }

        client().Tell(new Enqueue(channel, message.Type, message.PayloadBytes), ActorRefs.NoSender);
        return true; // counted when the queue answers: a full queue is a drop, as in the in-memory layer
    }
}

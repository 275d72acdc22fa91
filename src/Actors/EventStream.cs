namespace ActorChat.Actors;

/// <summary>
/// A system-wide publish/subscribe bus for events such as <see cref="DeadLetter"/>,
/// <see cref="UnhandledMessage"/> and <see cref="ActorFailed"/>. A subscriber is an actor that
/// receives every published event assignable to the type it subscribed to.
/// </summary>
public sealed class EventStream
{
    private readonly Lock _gate = new();
    private (Type Channel, IActorRef Subscriber)[] _subscriptions = [];

    /// <summary>Subscribes <paramref name="subscriber"/> to events of <paramref name="channel"/> and its subtypes. Returns false if it already was.</summary>
    public bool Subscribe(IActorRef subscriber, Type channel)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(channel);
        lock (_gate)
        {
            if (Array.Exists(_subscriptions, s => s.Channel == channel && s.Subscriber.Equals(subscriber)))
            {
                return false;
            }

            _subscriptions = [.. _subscriptions, (channel, subscriber)];
            return true;
        }
    }

    /// <summary>Ends the subscriptions of <paramref name="subscriber"/>: to <paramref name="channel"/>, or to everything when it is null.</summary>
    public void Unsubscribe(IActorRef subscriber, Type? channel = null)
    {
        lock (_gate)
        {
            _subscriptions = Array.FindAll(_subscriptions, s => !(s.Subscriber.Equals(subscriber) && (channel is null || s.Channel == channel)));
        }
    }

    /// <summary>Tells <paramref name="event"/> to every subscriber of a matching type.</summary>
    public void Publish(object @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        foreach (var (channel, subscriber) in Volatile.Read(ref _subscriptions))
        {
            if (channel.IsInstanceOfType(@event))
            {
                subscriber.Tell(@event);
            }
        }
    }
}

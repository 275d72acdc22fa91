using ActorChat.Actors;

namespace ActorChat.ChannelLayer;

/// <summary>
/// A channel bound to an actor (and optionally a <see cref="IMessageRelay"/>). Every layer delivery to the channel
/// goes through <see cref="Deliver"/>. A relayed message skips the actor only while no earlier message for this
/// channel is still waiting for the actor, so a sender's messages keep their order whichever path each one takes.
/// Dispose to unbind; the binding also ends when the actor stops.
/// </summary>
public sealed class ChannelBinding : IDisposable
{
    private readonly Action<ChannelBinding> _unbind;
    private int _waitingForActor;

    internal ChannelBinding(string channel, IActorRef actor, IMessageRelay? relay, Action<ChannelBinding> unbind)
    {
        Channel = channel;
        Actor = actor;
        Relay = relay;
        _unbind = unbind;
    }

    /// <summary>The bound channel.</summary>
    public string Channel { get; }

    /// <summary>The actor whose mailbox receives the channel's messages.</summary>
    public IActorRef Actor { get; }

    /// <summary>The fast path, if any.</summary>
    public IMessageRelay? Relay { get; }

    /// <summary>Call from the actor once it has handled a <see cref="ChannelMessage"/> the layer delivered.</summary>
    public void MessageProcessed()
    {
        var current = Volatile.Read(ref _waitingForActor);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref _waitingForActor, current - 1, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>Relays the message, or offers it to the actor below <paramref name="capacity"/> waiting messages.</summary>
    internal TellResult Deliver(ChannelMessage message, int capacity)
    {
        if (Relay is { } relay && Volatile.Read(ref _waitingForActor) == 0 && relay.Relays(message.Type) && relay.TryRelay(message))
        {
            return TellResult.Delivered;
        }

        Interlocked.Increment(ref _waitingForActor);
        var result = Actor.TryTell(message, capacity);
        if (result != TellResult.Delivered)
        {
            MessageProcessed();
        }

        return result;
    }

    /// <inheritdoc />
    public void Dispose() => _unbind(this);
}

using Akka.Actor;

namespace ActorChat.ChannelLayer;

/// <summary>
/// A channel bound to an actor (and optionally a <see cref="IMessageRelay"/>). Every layer delivery to the channel goes
/// through it, and it alone decides whether a message is delivered, refused because the channel is full, or refused
/// because the actor is gone.
/// </summary>
/// <remarks>
/// The binding counts the messages it handed to the actor that the actor has not processed yet; the actor reports
/// each one with <see cref="MessageProcessed"/> (consumers do so by themselves). That count is the channel's fill
/// level against <see cref="Capacity"/>, as a channel layer's buffer would be, and it keeps order: a relayed message
/// skips the actor only while nothing for this channel still waits for it, so a sender's messages arrive in the order
/// sent whichever path each one takes. Dispose to unbind; the binding also ends when the actor stops.
/// </remarks>
public sealed class ChannelBinding : IDisposable
{
    private readonly Action<ChannelBinding> _unbind;
    private int _waitingForActor;
    private volatile bool _ended;

    internal ChannelBinding(string channel, IActorRef actor, int capacity, IMessageRelay? relay, Action<ChannelBinding> unbind)
    {
        Channel = channel;
        Actor = actor;
        Capacity = capacity;
        Relay = relay;
        _unbind = unbind;
    }

    /// <summary>The bound channel.</summary>
    public string Channel { get; }

    /// <summary>The actor whose mailbox receives the channel's messages.</summary>
    public IActorRef Actor { get; }

    /// <summary>How many delivered messages may wait for the actor before the channel counts as full.</summary>
    public int Capacity { get; }

    /// <summary>The fast path, if any.</summary>
    public IMessageRelay? Relay { get; }

    /// <summary>Messages handed to the actor that it has not reported processed yet.</summary>
    public int Waiting => Volatile.Read(ref _waitingForActor);

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

    /// <summary>Relays the message, or tells it to the actor while fewer than <see cref="Capacity"/> wait for it.</summary>
    internal DeliveryResult Deliver(ChannelMessage message)
    {
        if (_ended)
        {
            return DeliveryResult.Gone;
        }

        if (Relay is { } relay && Volatile.Read(ref _waitingForActor) == 0 && relay.Relays(message.Type) && relay.TryRelay(message))
        {
            return DeliveryResult.Delivered;
        }

        if (Interlocked.Increment(ref _waitingForActor) > Capacity)
        {
            MessageProcessed();
            return DeliveryResult.Full;
        }

        Actor.Tell(message, ActorRefs.NoSender);
        return DeliveryResult.Delivered;
    }

    /// <summary>Ends the binding without unbinding the channel (its actor stopped); later deliveries are <see cref="DeliveryResult.Gone"/>.</summary>
    internal void End() => _ended = true;

    /// <inheritdoc />
    public void Dispose()
    {
        _ended = true;
        _unbind(this);
    }
}

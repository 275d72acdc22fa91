using System.Collections.Concurrent;
using Akka.Actor;

namespace ActorChat.ChannelLayer.Rooms;

/// <summary>
/// The part of every layer that lives on one node: bound channels, the mediator and its rooms.
/// A layer spanning nodes adds transport around it; the in-memory layer uses it as is.
/// </summary>
internal sealed class LocalRooms
{
    private readonly ConcurrentDictionary<string, RoomMembership> _directory = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ChannelBinding> _bindings = new(StringComparer.Ordinal);
    private readonly IActorRef _mediator;
    private readonly TimeSpan _askTimeout;

    public LocalRooms(ActorSystem system, RoomContext context, string mediatorName, IGroupSubscriptions? subscriptions = null)
    {
        _askTimeout = AskTimeouts.For(system);
        _mediator = system.ActorOf(ActorFactory.Props(() => new GroupMediator(context, _directory, _bindings, subscriptions)), mediatorName);
    }

    /// <summary>The node's mediator, which owns the rooms.</summary>
    public IActorRef Mediator => _mediator;

    /// <summary>How many rooms this node has now.</summary>
    public int RoomCount => _directory.Count;

    /// <summary>The groups this node has rooms for now.</summary>
    public IReadOnlyCollection<string> Groups => [.. _directory.Keys];

    public ChannelBinding? Binding(string channel) => _bindings.TryGetValue(channel, out var binding) ? binding : null;

    public ChannelBinding Bind(string channel, IActorRef actor, int capacity, IMessageRelay? relay)
    {
        ChannelNames.ValidateChannel(channel);
        ArgumentNullException.ThrowIfNull(actor);
        var binding = new ChannelBinding(channel, actor, capacity, relay, b => _bindings.TryRemove(KeyValuePair.Create(b.Channel, b)));
        _bindings[channel] = binding;
        _mediator.Tell(new WatchBinding(channel, actor));
        return binding;
    }

    /// <summary>
    /// Delivers to a channel on this node: to its bound actor (or relay), or, when no live actor is bound, to
    /// <paramref name="buffer"/>. False when the channel is full.
    /// </summary>
    public bool TryDeliver(string channel, ChannelMessage message, IChannelSink buffer)
    {
        if (Binding(channel) is { } binding)
        {
            switch (binding.Deliver(message))
            {
                case DeliveryResult.Delivered:
                    return true;
                case DeliveryResult.Full:
                    return false;
            }

            // The bound actor stopped: the channel is a plain buffer again until its messages expire.
        }

        return buffer.TryDeliver(channel, message);
    }

    /// <summary>Refuses <c>ReceiveAsync</c> on a channel an actor is bound to: its messages go to that actor.</summary>
    public void ThrowIfBound(string channel)
    {
        if (Binding(channel) is { } binding)
        {
            throw new InvalidOperationException($"Channel '{channel}' is bound to {binding.Actor.Path}; its messages go to that actor's mailbox, not to ReceiveAsync.");
        }
    }

    /// <summary>
    /// Fans a group message out to this node's members of the group, if it has any, on the caller's thread: each member's
    /// binding relays it to the socket's writer or tells it to the member's actor. Never blocks.
    /// </summary>
    public void Publish(string group, ChannelMessage message)
    {
        if (_directory.TryGetValue(group, out var room))
        {
            room.FanOut(message);
        }
    }

    /// <summary>Joins <paramref name="channel"/> with its binding now (none: a plain channel).</summary>
    public ValueTask JoinAsync(string group, string channel, CancellationToken cancellationToken) =>
        JoinAsync(group, channel, Binding(channel), null, cancellationToken);

    /// <summary>
    /// Joins with the <paramref name="binding"/> the caller looked up (null: a plain channel), so what the caller decided
    /// from it (such as who watches the actor) holds for the room too, even when the binding ends meanwhile. With
    /// <paramref name="then"/>, the room hands it on once the member is in, and the call is done when its target answers:
    /// one round trip for both.
    /// </summary>
    public async ValueTask JoinAsync(string group, string channel, ChannelBinding? binding, HandOn? then, CancellationToken cancellationToken) =>
        await _mediator.Ask<object>(new JoinGroup(group, channel, binding, then), _askTimeout, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Leaves; with <paramref name="then"/>, the room (or the mediator, when the group has no room here) hands it on once
    /// the member is out, and the call is done when its target answers: one round trip for both.
    /// </summary>
    public async ValueTask LeaveAsync(string group, string channel, HandOn? then, CancellationToken cancellationToken) =>
        await _mediator.Ask<object>(new LeaveGroup(group, channel, then), _askTimeout, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyCollection<string>> MembersAsync(string group, CancellationToken cancellationToken) =>
        await _mediator.Ask<IReadOnlyCollection<string>>(new GetMembers(group), _askTimeout, cancellationToken).ConfigureAwait(false);

    public async Task FlushAsync(CancellationToken cancellationToken) =>
        await _mediator.Ask<Flushed>(FlushRooms.Instance, _askTimeout, cancellationToken).ConfigureAwait(false);
}

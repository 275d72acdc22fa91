using Akka.Actor;

namespace ActorChat.ChannelLayer;

/// <summary>
/// The Django Channels channel layer: named channels that carry typed messages, and groups of channels
/// that a message can be sent to at once. Every implementation passes the same conformance suite.
/// </summary>
/// <remarks>
/// Names follow <see cref="ChannelNames"/>; a bad name throws <see cref="InvalidChannelNameException"/>.
/// Every send encodes the message (once) at the sender, so a payload that cannot be serialized fails
/// there with <see cref="ChannelMessageSerializationException"/>.
/// </remarks>
public interface IChannelLayer : IAsyncDisposable
{
    /// <summary>The options this layer runs with.</summary>
    ChannelLayerOptions Options { get; }

    /// <summary>Counters of sends, deliveries and drops.</summary>
    ChannelLayerStats Stats { get; }

    /// <summary>Returns a new, unique process-local channel name, <c>{prefix}.{node}!{random}</c>.</summary>
    ValueTask<string> NewChannelAsync(string prefix = "specific", CancellationToken cancellationToken = default);

    /// <summary>Sends <paramref name="message"/> to one channel: into its bound actor's mailbox, or its buffer.</summary>
    /// <exception cref="ChannelFullException">The channel holds its capacity of unreceived messages.</exception>
    ValueTask SendAsync(string channel, ChannelMessage message, CancellationToken cancellationToken = default);

    /// <summary>Waits for the next message on a channel no actor is bound to (a worker queue, say).</summary>
    /// <exception cref="InvalidOperationException">An actor is bound to the channel, so its messages go to that actor.</exception>
    ValueTask<ChannelMessage> ReceiveAsync(string channel, CancellationToken cancellationToken = default);

    /// <summary>Adds a channel to a group. Once this completes, every later group send reaches it.</summary>
    ValueTask GroupAddAsync(string group, string channel, CancellationToken cancellationToken = default);

    /// <summary>Removes a channel from a group; removing a non-member does nothing.</summary>
    ValueTask GroupDiscardAsync(string group, string channel, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends <paramref name="message"/> to every member of a group, in the order each sender sent. A member
    /// whose channel is full is skipped and counted (<see cref="ChannelLayerStats.DropsFull"/>).
    /// </summary>
    ValueTask GroupSendAsync(string group, ChannelMessage message, CancellationToken cancellationToken = default);

    /// <summary>The channels currently in <paramref name="group"/>, on every node the layer spans.</summary>
    ValueTask<IReadOnlyCollection<string>> GroupMembersAsync(string group, CancellationToken cancellationToken = default);

    /// <summary>
    /// Tracks <paramref name="channel"/>'s presence in <paramref name="group"/> under <paramref name="presence"/>'s key and
    /// meta, on every node: <see cref="PresenceAsync"/> lists it, and the group's members receive a
    /// <see cref="PresenceDiff"/> with it among the joins. Tracking a tracked channel again replaces its meta. The presence
    /// ends with <see cref="UntrackAsync"/>, with <see cref="GroupDiscardAsync"/>, when the actor bound to the channel
    /// stops, or when the channel's node leaves the layer. Tracking does not add the channel to the group.
    /// </summary>
    /// <exception cref="InvalidPresenceException">The key or meta breaks a rule (<see cref="ChannelLayerOptions.PresenceMetaLimit"/>).</exception>
    ValueTask TrackAsync(string group, string channel, PresenceInfo presence, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds <paramref name="channel"/> to <paramref name="group"/> and tracks its presence there, as
    /// <see cref="GroupAddAsync(string, string, CancellationToken)"/> then <see cref="TrackAsync"/> would, in one round trip.
    /// When the presence breaks a rule nothing happens: the call throws and the channel is not added.
    /// </summary>
    /// <exception cref="InvalidPresenceException">The key or meta breaks a rule (<see cref="ChannelLayerOptions.PresenceMetaLimit"/>).</exception>
    ValueTask GroupAddAsync(string group, string channel, PresenceInfo presence, CancellationToken cancellationToken = default);

    /// <summary>Ends <paramref name="channel"/>'s presence in <paramref name="group"/>: its meta leaves in a diff. Nothing when it has none.</summary>
    ValueTask UntrackAsync(string group, string channel, CancellationToken cancellationToken = default);

    /// <summary>Who is in <paramref name="group"/>: each key with its metas, on every node the layer spans.</summary>
    ValueTask<IReadOnlyList<PresenceEntry>> PresenceAsync(string group, CancellationToken cancellationToken = default);

    /// <summary>
    /// Binds a channel to an actor: messages for it go straight into the actor's mailbox, or through
    /// <paramref name="relay"/> for the types it relays. The binding ends when the actor stops or the result is disposed.
    /// The channel's capacity counts the messages the actor has not yet reported with
    /// <see cref="ChannelBinding.MessageProcessed"/> (a consumer reports each one by itself).
    /// </summary>
    ChannelBinding Bind(string channel, IActorRef actor, IMessageRelay? relay = null);

    /// <summary>Drops every buffered message and every group. Bindings stay.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);
}

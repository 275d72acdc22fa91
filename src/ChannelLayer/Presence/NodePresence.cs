using System.Collections.Concurrent;
using ActorChat.ChannelLayer.Rooms;
using Akka;
using Akka.Actor;

namespace ActorChat.ChannelLayer;

/// <summary>
/// Presence as every layer offers it: the checks at the call, the node's <see cref="PresenceTracker"/>, and the list
/// from the layer's <see cref="IPresenceStore"/>.
/// </summary>
internal sealed class NodePresence
{
    private readonly IActorRef _tracker;
    private readonly IPresenceStore _store;
    private readonly ChannelLayerOptions _options;
    private readonly TimeSpan _askTimeout;
    private readonly ConcurrentDictionary<string, int> _trackedChannels = new(StringComparer.Ordinal);

    /// <param name="system">Hosts the tracker.</param>
    /// <param name="name">The tracker's actor name, unique in <paramref name="system"/>.</param>
    /// <param name="nodeId">This node's id, in every meta it tracks.</param>
    /// <param name="options">The layer's options (the meta limit).</param>
    /// <param name="stats">Counts entries and diffs.</param>
    /// <param name="time">Stamps <see cref="PresenceMeta.JoinedAt"/>.</param>
    /// <param name="store">Where the layer keeps presence.</param>
    /// <param name="groupSend">The layer's group send, which carries the diffs to every node's members.</param>
    public NodePresence(ActorSystem system, string name, string nodeId, ChannelLayerOptions options, ChannelLayerStats stats, TimeProvider time,
        IPresenceStore store, Func<string, ChannelMessage, ValueTask> groupSend)
    {
        _store = store;
        _options = options;
        _askTimeout = AskTimeouts.For(system);
        _tracker = system.ActorOf(ActorFactory.Props(() => new PresenceTracker(store, nodeId, time, stats, options.PresenceDiffInterval, groupSend, _trackedChannels)), name);
        store.Departed = (group, metas) => _tracker.Tell(new PresenceTracker.Departed(group, metas));
        store.Returned = (group, sweptAt) => _tracker.Tell(new PresenceTracker.Returned(group, sweptAt));
    }

    /// <summary>Tracks <paramref name="channel"/> in <paramref name="group"/>; <paramref name="actor"/>, when given, ends it by stopping.</summary>
    public async ValueTask TrackAsync(string group, string channel, PresenceInfo presence, IActorRef? actor, CancellationToken cancellationToken) =>
        await _tracker.Ask<Done>(CheckedTrack(group, channel, presence, actor), _askTimeout, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Adds <paramref name="channel"/> to <paramref name="group"/> in <paramref name="rooms"/> and tracks it there, in one
    /// round trip: the room hands the tracking to the tracker once the member is in, and the tracker answers. The room
    /// watches the member's actor and tells the tracker when it stops, so the tracker does not watch it too. Nothing
    /// joins when the presence breaks a rule.
    /// </summary>
    public async ValueTask JoinAndTrackAsync(LocalRooms rooms, string group, string channel, PresenceInfo presence, CancellationToken cancellationToken)
    {
        // One lookup for both: the room watches this binding's actor exactly when the tracker leaves it to the room.
        var binding = rooms.Binding(channel);
        var track = CheckedTrack(group, channel, presence, binding?.Actor) with { RoomWatches = binding is not null };
        var stopped = binding is null ? null : new PresenceTracker.ChannelStopped(channel);
        await rooms.JoinAsync(group, channel, binding, new HandOn(_tracker, track, stopped), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes <paramref name="channel"/> from <paramref name="group"/> in <paramref name="rooms"/> and ends its presence
    /// there: one round trip, the room handing the untrack to the tracker when the channel is tracked.
    /// </summary>
    public ValueTask LeaveAndUntrackAsync(LocalRooms rooms, string group, string channel, CancellationToken cancellationToken) =>
        rooms.LeaveAsync(group, channel, _trackedChannels.ContainsKey(channel) ? new HandOn(_tracker, new PresenceTracker.Untrack(group, channel)) : null, cancellationToken);

    private PresenceTracker.Track CheckedTrack(string group, string channel, PresenceInfo presence, IActorRef? actor)
    {
        ChannelNames.ValidateGroup(group);
        ChannelNames.ValidateChannel(channel);
        var (key, meta) = PresenceRules.Check(presence, _options.PresenceMetaLimit);
        return new PresenceTracker.Track(group, channel, key, meta, actor);
    }

    /// <summary>Ends the presence of <paramref name="channel"/> in <paramref name="group"/>; nothing when it has none.</summary>
    public async ValueTask UntrackAsync(string group, string channel, CancellationToken cancellationToken)
    {
        ChannelNames.ValidateGroup(group);
        ChannelNames.ValidateChannel(channel);
        if (_trackedChannels.ContainsKey(channel))
        {
            await _tracker.Ask<Done>(new PresenceTracker.Untrack(group, channel), _askTimeout, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The group's entries on every node.</summary>
    public async ValueTask<IReadOnlyList<PresenceEntry>> ListAsync(string group, CancellationToken cancellationToken)
    {
        ChannelNames.ValidateGroup(group);
        return PresenceRules.ToEntries(await _store.ListAsync(group, cancellationToken).ConfigureAwait(false));
    }
}

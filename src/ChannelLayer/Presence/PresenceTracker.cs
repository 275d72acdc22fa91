using System.Collections.Concurrent;
using System.Text.Json;
using Akka;
using Akka.Actor;

namespace ActorChat.ChannelLayer;

/// <summary>
/// The node's presence actor: it stores what this node's connections track (one store operation at a time, so a track
/// and its untrack cannot cross), ends a consumer's presence when it stops (the room a consumer joined watches it and
/// tells <see cref="ChannelStopped"/>; this actor watches only consumers that track without joining), and sends the
/// diffs (its awaits keep the actor context: no ConfigureAwait(false) here). Joins and leaves that arrive together go out as one diff per group: after a change it tells itself to flush,
/// and that message queues behind the changes already waiting, as Phoenix batches its diffs.
/// </summary>
internal sealed class PresenceTracker : ReceiveActor, IWithTimers
{
    /// <summary>The most metas in one diff (about 80 kB of JSON): a node's mass leave goes out as several.</summary>
    internal const int MaxMetasPerDiff = 500;

    private readonly IPresenceStore _store;
    private readonly string _nodeId;
    private readonly TimeProvider _time;
    private readonly ChannelLayerStats _stats;
    private readonly Func<string, ChannelMessage, ValueTask> _groupSend;
    private readonly ConcurrentDictionary<string, int> _trackedChannels;
    private readonly Dictionary<string, Dictionary<string, PresenceMeta>> _byChannel = new(StringComparer.Ordinal); // channel → group → meta
    private readonly Dictionary<IActorRef, string> _watched = []; // actor → its channel
    private readonly Dictionary<string, IActorRef> _watcherOf = new(StringComparer.Ordinal); // channel → its actor, so a leave needs no scan
    private readonly Dictionary<string, (List<PresenceMeta> Joins, List<PresenceMeta> Leaves)> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _returnedSweeps = new(StringComparer.Ordinal); // group → the latest sweep of this node announced back
    private readonly TimeSpan _diffInterval;
    private bool _flushQueued;
    private long _lastFlush; // Environment.TickCount64 of the last flush

    public PresenceTracker(IPresenceStore store, string nodeId, TimeProvider time, ChannelLayerStats stats, TimeSpan diffInterval,
        Func<string, ChannelMessage, ValueTask> groupSend, ConcurrentDictionary<string, int> trackedChannels)
    {
        _diffInterval = diffInterval;
        _lastFlush = Environment.TickCount64 - (long)diffInterval.TotalMilliseconds;
        _store = store;
        _nodeId = nodeId;
        _time = time;
        _stats = stats;
        _groupSend = groupSend;
        _trackedChannels = trackedChannels;
        ReceiveAsync<Track>(OnTrackAsync);
        ReceiveAsync<Untrack>(OnUntrackAsync);
        ReceiveAsync<Terminated>(terminated => _watched.Remove(terminated.ActorRef, out var channel) && _watcherOf.Remove(channel) ? EndAsync(channel) : Task.CompletedTask);
        ReceiveAsync<ChannelStopped>(stopped => EndAsync(stopped.Channel));
        Receive<Departed>(d => d.Metas.ToList().ForEach(m => Queue(d.Group, m, join: false)));
        Receive<Returned>(OnReturned);
        ReceiveAsync<FlushDiffs>(_ => FlushAsync());
    }

    private async Task OnTrackAsync(Track track)
    {
        try
        {
            if (Meta(track.Channel, track.Group) is { } old)
            {
                await RemoveAsync(track.Group, old); // tracking again replaces the meta: a leave, then a join
            }

            var meta = new PresenceMeta(track.Key, track.Channel, _nodeId, _time.GetUtcNow(), track.Meta);
            await _store.AddAsync(track.Group, meta);
            if (!_byChannel.TryGetValue(track.Channel, out var groups))
            {
                _byChannel[track.Channel] = groups = new Dictionary<string, PresenceMeta>(StringComparer.Ordinal);
            }

            if (track.Actor is { } actor && !track.RoomWatches && !_watcherOf.ContainsKey(track.Channel) && !_watched.ContainsKey(actor))
            {
                _watched[actor] = track.Channel;
                _watcherOf[track.Channel] = actor;
                Context.Watch(actor);
            }

            groups[track.Group] = meta;
            _trackedChannels[track.Channel] = groups.Count;
            _stats.PresenceTracked(1);
            Queue(track.Group, meta, join: true);
            Sender.Tell(Done.Instance);
        }
        catch (Exception ex)
        {
            Sender.Tell(new Status.Failure(ex));
        }
    }

    private async Task OnUntrackAsync(Untrack untrack)
    {
        try
        {
            if (Meta(untrack.Channel, untrack.Group) is { } meta)
            {
                await RemoveAsync(untrack.Group, meta);
            }

            Sender.Tell(Done.Instance);
        }
        catch (Exception ex)
        {
            Sender.Tell(new Status.Failure(ex));
        }
    }

    /// <summary>
    /// A tracking consumer stopped, whether it left its groups or crashed (this actor's watch saw it, or a room's did):
    /// the channel's presence ends everywhere.
    /// </summary>
    private async Task EndAsync(string channel)
    {
        if (!_byChannel.TryGetValue(channel, out var groups))
        {
            return;
        }

        foreach (var (group, meta) in groups.ToList())
        {
            try
            {
                await RemoveAsync(group, meta);
            }
            catch (Exception)
            {
                // The store is unreachable (Redis down): the entry expires with this node's heartbeat there, and the
                // local list no longer has it.
                Forget(group, meta);
            }
        }
    }

    private async Task RemoveAsync(string group, PresenceMeta meta)
    {
        // Not when a sweep on another node took it and announced its leave, and it was not announced back since.
        var swept = await _store.RemoveAsync(group, meta);
        var leftWithTheSweep = swept is { } at && meta.JoinedAt <= at && !AnnouncedBack(group, at);
        Forget(group, meta, announce: !leftWithTheSweep);
    }

    private void Forget(string group, PresenceMeta meta, bool announce = true)
    {
        if (!_byChannel.TryGetValue(meta.Channel, out var groups) || !groups.Remove(group))
        {
            return;
        }

        _stats.PresenceTracked(-1);
        if (announce)
        {
            Queue(group, meta, join: false);
        }

        if (groups.Count > 0)
        {
            _trackedChannels[meta.Channel] = groups.Count;
            return;
        }

        _byChannel.Remove(meta.Channel);
        _trackedChannels.TryRemove(meta.Channel, out _);
        if (_watcherOf.Remove(meta.Channel, out var watched))
        {
            _watched.Remove(watched);
            Context.Unwatch(watched);
        }
    }

    /// <summary>
    /// The store wrote back this node's metas in a group that another node had swept and announced as leaves (this node
    /// stalled past the store's expiry): the ones tracked since before the sweep join again, once per sweep, so every
    /// member's view matches the list.
    /// </summary>
    private void OnReturned(Returned returned)
    {
        if (AnnouncedBack(returned.Group, returned.SweptAt))
        {
            return;
        }

        _returnedSweeps[returned.Group] = returned.SweptAt;
        foreach (var groups in _byChannel.Values)
        {
            if (groups.TryGetValue(returned.Group, out var meta) && meta.JoinedAt <= returned.SweptAt)
            {
                Queue(returned.Group, meta, join: true);
            }
        }
    }

    /// <summary>Whether this node's metas in <paramref name="group"/> swept at <paramref name="sweptAt"/> were announced as joins again.</summary>
    private bool AnnouncedBack(string group, DateTimeOffset sweptAt) => _returnedSweeps.TryGetValue(group, out var announced) && announced >= sweptAt;

    private PresenceMeta? Meta(string channel, string group) =>
        _byChannel.TryGetValue(channel, out var groups) && groups.TryGetValue(group, out var meta) ? meta : null;

    private void Queue(string group, PresenceMeta meta, bool join)
    {
        if (!_pending.TryGetValue(group, out var diff))
        {
            _pending[group] = diff = ([], []);
        }

        (join ? diff.Joins : diff.Leaves).Add(meta);
        if (!_flushQueued)
        {
            _flushQueued = true;
            var wait = (long)_diffInterval.TotalMilliseconds - (Environment.TickCount64 - _lastFlush);
            if (wait > 0)
            {
                Timers.StartSingleTimer(FlushDiffs.Instance, FlushDiffs.Instance, TimeSpan.FromMilliseconds(wait));
            }
            else
            {
                Self.Tell(FlushDiffs.Instance);
            }
        }
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    private async Task FlushAsync()
    {
        _flushQueued = false;
        _lastFlush = Environment.TickCount64;
        var pending = _pending.ToList();
        _pending.Clear();
        foreach (var (group, (joins, leaves)) in pending)
        {
            foreach (var diff in Diffs(group, joins, leaves))
            {
                try
                {
                    await _groupSend(group, ChannelMessage.From(diff));
                    _stats.PresenceDiffSent();
                }
                catch (Exception)
                {
                    _stats.CrossNodeFailed(); // the layer could not reach the other nodes; the lists there still converge
                }
            }
        }
    }

    /// <summary>
    /// A batch as diffs of at most <see cref="MaxMetasPerDiff"/> metas, joins first, then leaves: a meta that joined and
    /// left within the batch is in both, and members that never saw it join lose nothing. Folded in order, the diffs leave
    /// a list as one diff would; kept small, each fits in one message to another node.
    /// </summary>
    private static IEnumerable<PresenceDiff> Diffs(string group, List<PresenceMeta> joins, List<PresenceMeta> leaves) =>
        joins.Select(meta => (Meta: meta, Joined: true)).Concat(leaves.Select(meta => (Meta: meta, Joined: false)))
            .Chunk(MaxMetasPerDiff)
            .Select(chunk => new PresenceDiff(group, PresenceRules.ByKey(chunk.Where(c => c.Joined).Select(c => c.Meta)),
                PresenceRules.ByKey(chunk.Where(c => !c.Joined).Select(c => c.Meta))));

    /// <summary>
    /// Tracks a connection's channel in a group, watching <paramref name="Actor"/> when the channel is bound to one, unless
    /// <paramref name="RoomWatches"/>: the room the channel joins watches it and tells <see cref="ChannelStopped"/>.
    /// </summary>
    internal sealed record Track(string Group, string Channel, string Key, JsonElement Meta, IActorRef? Actor, bool RoomWatches = false);

    /// <summary>A room saw the actor of a channel it holds for presence stop: the channel's presence ends.</summary>
    internal sealed record ChannelStopped(string Channel);

    /// <summary>Ends a channel's presence in a group.</summary>
    internal sealed record Untrack(string Group, string Channel);

    /// <summary>The store dropped a gone node's metas: announce them as leaves.</summary>
    internal sealed record Departed(string Group, IReadOnlyList<PresenceMeta> Metas);

    /// <summary>The store wrote back this node's metas in a group, swept at <paramref name="SweptAt"/>: announce those as joins again.</summary>
    internal sealed record Returned(string Group, DateTimeOffset SweptAt);

    private sealed class FlushDiffs
    {
        public static readonly FlushDiffs Instance = new();
    }
}

using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using ActorChat.ChannelLayer.Rooms;
using Akka.Actor;

namespace ActorChat.ChannelLayer.InMemory;

/// <summary>
/// The channel layer of a single node, and the default. Bound channels deliver straight into actor
/// mailboxes; other channels are in-process buffers; groups are room actors under one mediator.
/// </summary>
public sealed class InMemoryChannelLayer : IChannelLayer, IChannelLayerHealth
{
    private readonly LocalRooms _rooms;
    private readonly ChannelBuffers _buffers;
    private readonly CapacityPolicy _capacity;
    private readonly string _nodeId;
    private readonly NodePresence _presence;

    /// <summary>Creates the layer and its mediator in <paramref name="system"/>.</summary>
    /// <param name="system">The actor system that hosts the mediator and rooms.</param>
    /// <param name="options">Layer settings; defaults when null. Invalid values throw at once.</param>
    /// <param name="nodeId">Part of every name from <see cref="NewChannelAsync"/>; "inmemory" by default.</param>
    /// <param name="meterFactory">Scopes the layer's meter to a node (its DI container); a process-wide meter when null.</param>
    /// <param name="time">The clock for expiry; <see cref="TimeProvider.System"/> when null (tests pass a <c>FakeTimeProvider</c>).</param>
    public InMemoryChannelLayer(ActorSystem system, ChannelLayerOptions? options = null, string nodeId = "inmemory", IMeterFactory? meterFactory = null, TimeProvider? time = null)
    {
        Stats = new ChannelLayerStats(meterFactory);
        ArgumentNullException.ThrowIfNull(system);
        Options = options ?? new ChannelLayerOptions();
        Options.ThrowIfInvalid();
        ChannelNames.ValidateGroup(nodeId);
        _nodeId = nodeId;
        time ??= TimeProvider.System;
        _capacity = new CapacityPolicy(Options);
        _buffers = new ChannelBuffers(Options, _capacity, Stats, time);
        var name = "channel-layer-" + Guid.NewGuid().ToString("N")[..8];
        _rooms = new LocalRooms(system, new RoomContext(Options, Stats, time, _buffers), name);
        _presence = new NodePresence(system, name + "-presence", nodeId, Options, Stats, time, new InMemoryPresenceStore(), (group, message) => GroupSendAsync(group, message));
    }

    /// <inheritdoc />
    public ChannelLayerOptions Options { get; }

    /// <inheritdoc />
    public ChannelLayerStats Stats { get; }

    /// <summary>How many room actors exist on this node now.</summary>
    public int RoomCount => _rooms.RoomCount;

    /// <inheritdoc />
    public ValueTask<string> NewChannelAsync(string prefix = "specific", CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(prefix);
        var name = $"{prefix}.{_nodeId}!{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        ChannelNames.ValidateChannel(name);
        return ValueTask.FromResult(name);
    }

    /// <inheritdoc />
    public ValueTask SendAsync(string channel, ChannelMessage message, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateChannel(channel);
        ArgumentNullException.ThrowIfNull(message);
        message.EnsureEncoded();
        Stats.Sent();
        if (!_rooms.TryDeliver(channel, message, _buffers))
        {
            throw new ChannelFullException(channel, _capacity.For(channel));
        }

        Stats.Delivered(1);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<ChannelMessage> ReceiveAsync(string channel, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateChannel(channel);
        _rooms.ThrowIfBound(channel);

        return _buffers.ReadAsync(channel, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask GroupAddAsync(string group, string channel, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(group);
        ChannelNames.ValidateChannel(channel);
        return _rooms.JoinAsync(group, channel, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask GroupDiscardAsync(string group, string channel, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(group);
        ChannelNames.ValidateChannel(channel);
        return _presence.LeaveAndUntrackAsync(_rooms, group, channel, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask GroupAddAsync(string group, string channel, PresenceInfo presence, CancellationToken cancellationToken = default) =>
        _presence.JoinAndTrackAsync(_rooms, group, channel, presence, cancellationToken);

    /// <inheritdoc />
    public ValueTask TrackAsync(string group, string channel, PresenceInfo presence, CancellationToken cancellationToken = default) =>
        _presence.TrackAsync(group, channel, presence, _rooms.Binding(channel)?.Actor, cancellationToken);

    /// <inheritdoc />
    public ValueTask UntrackAsync(string group, string channel, CancellationToken cancellationToken = default) =>
        _presence.UntrackAsync(group, channel, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<PresenceEntry>> PresenceAsync(string group, CancellationToken cancellationToken = default) =>
        _presence.ListAsync(group, cancellationToken);

    /// <inheritdoc />
    public ValueTask GroupSendAsync(string group, ChannelMessage message, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(group);
        ArgumentNullException.ThrowIfNull(message);
        message.EnsureEncoded();
        Stats.GroupSent();
        _rooms.Publish(group, message);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyCollection<string>> GroupMembersAsync(string group, CancellationToken cancellationToken = default)
    {
        ChannelNames.ValidateGroup(group);
        return _rooms.MembersAsync(group, cancellationToken);
    }

    /// <inheritdoc />
    public ChannelBinding Bind(string channel, IActorRef actor, IMessageRelay? relay = null) => _rooms.Bind(channel, actor, _capacity.For(channel), relay);

    /// <inheritdoc />
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        _buffers.Clear();
        await _rooms.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Always reachable: the layer lives in this process.</summary>
    public ValueTask<bool> IsReachableAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(true);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Stats.Dispose();
        return ValueTask.CompletedTask;
    }
}

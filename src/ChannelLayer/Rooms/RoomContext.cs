namespace ActorChat.ChannelLayer.Rooms;

/// <summary>What every room on a node shares: settings, counters, the clock and the plain-channel sink.</summary>
internal sealed record RoomContext(ChannelLayerOptions Options, ChannelLayerStats Stats, TimeProvider Time, IChannelSink Sink);

namespace ActorChat.ChannelLayer.Rooms;

/// <summary>
/// The live member list of one group on this node. Its room actor, the only writer, publishes a new immutable
/// <see cref="RoomMembers"/> after every change; senders read the latest one and fan a group message out on their own
/// thread, so a message reaches the members' writers (or mailboxes) without an actor hop in between.
/// </summary>
/// <remarks>
/// Per-sender order holds: a sender delivers its messages one after another, each to every member before the next, and
/// each member's binding keeps the order of what one thread hands it. A join is in once the room actor has published
/// the snapshot with it, which happens before it answers the join.
/// </remarks>
internal sealed class RoomMembership(RoomContext context)
{
    private RoomMembers _members = RoomMembers.Empty;

    /// <summary>The members now.</summary>
    public RoomMembers Members => Volatile.Read(ref _members);

    /// <summary>Makes <paramref name="members"/> the list every later group message goes to (room actor only).</summary>
    public void Publish(RoomMembers members) => Volatile.Write(ref _members, members);

    /// <summary>
    /// Offers the same <see cref="ChannelMessage"/> instance to every member, so it is encoded once however many there
    /// are. A full member is skipped and counted; the rest of the room goes on.
    /// </summary>
    public void FanOut(ChannelMessage message)
    {
        var members = Members;
        long delivered = 0, full = 0, stopped = 0;
        foreach (var binding in members.Bound)
        {
            switch (binding.Deliver(message))
            {
                case DeliveryResult.Delivered:
                    delivered++;
                    break;
                case DeliveryResult.Full:
                    full++;
                    break;
                default:
                    stopped++; // its room hears of the stop and drops it
                    break;
            }
        }

        if (members.Plain.Length > 0)
        {
            var now = context.Time.GetUtcNow();
            foreach (ref readonly var plain in members.Plain.AsSpan())
            {
                if (now - plain.Joined > context.Options.GroupExpiry)
                {
                    continue; // expired; the room removes it
                }

                if (context.Sink.TryDeliver(plain.Channel, message))
                {
                    delivered++;
                }
                else
                {
                    full++;
                }
            }
        }

        context.Stats.Delivered(delivered);
        if (full > 0)
        {
            context.Stats.DroppedFull(full);
        }

        if (stopped > 0)
        {
            context.Stats.DroppedStopped(stopped);
        }
    }
}

using System.Threading.Channels;

/// <summary>
/// A broadcaster's room, shared by the bench servers without actors (bench/BareKestrel, bench/HandTuned): its
/// members' outgoing queues, copied on change so a broadcast reads a stable array.
/// </summary>
internal sealed class Room
{
    private readonly Lock _gate = new();
    private ChannelWriter<byte[]>[] _members = [];

    public void Add(ChannelWriter<byte[]> member)
    {
        lock (_gate)
        {
            _members = [.. _members, member];
        }
    }

    public void Remove(ChannelWriter<byte[]> member)
    {
        lock (_gate)
        {
            _members = Array.FindAll(_members, m => m != member);
        }
    }

    /// <summary>Queues the one encoded frame to every member.</summary>
    public void Broadcast(byte[] frame)
    {
        foreach (var member in Volatile.Read(ref _members))
        {
            member.TryWrite(frame);
        }
    }
}

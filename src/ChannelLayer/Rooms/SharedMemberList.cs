namespace ActorChat.ChannelLayer.Rooms;

/// <summary>
/// A room's bound members, in an array its published snapshots share. A join appends past the end of every snapshot
/// taken so far, which no reader looks at, so it copies nothing (the array doubles when full); a removal moves an element
/// that snapshots may still read, so the first removal after a publish copies the array. A crowd joining a large room
/// then costs O(1) per join instead of a copy of the whole list.
/// </summary>
/// <remarks>Only the room actor writes; readers see an element once the snapshot that counts it is published.</remarks>
internal sealed class SharedMemberList
{
    private ChannelBinding[] _items = new ChannelBinding[4];
    private bool _shared; // a published snapshot reads _items

    /// <summary>How many members there are now.</summary>
    public int Count { get; private set; }

    /// <summary>The member at <paramref name="index"/> (below <see cref="Count"/>).</summary>
    public ChannelBinding this[int index] => _items[index];

    /// <summary>Adds <paramref name="binding"/> at index <see cref="Count"/>.</summary>
    public void Add(ChannelBinding binding)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2); // a new array: no snapshot reads it yet
            _shared = false;
        }

        _items[Count++] = binding;
    }

    /// <summary>Removes the member at <paramref name="index"/> by moving the last one there; returns the one moved.</summary>
    public ChannelBinding? RemoveAtSwap(int index)
    {
        if (_shared)
        {
            _items = (ChannelBinding[])_items.Clone();
            _shared = false;
        }

        Count--;
        var last = index == Count ? null : _items[Count];
        if (last is not null)
        {
            _items[index] = last;
        }

        _items[Count] = null!;
        return last;
    }

    /// <summary>The members now, as a snapshot that later changes leave as it is.</summary>
    public RoomMembers Snapshot(PlainMember[] plain)
    {
        _shared = true;
        return new RoomMembers(_items, Count, plain);
    }
}

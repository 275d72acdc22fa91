namespace ActorChat.Actors;

/// <summary>What a bounded mailbox does with a message that arrives when it is full.</summary>
public enum MailboxOverflow
{
    /// <summary>The arriving message becomes a dead letter.</summary>
    DropNewest,

    /// <summary>The oldest queued message becomes a dead letter and the arriving one is queued.</summary>
    DropOldest,
}

/// <summary>The kind of queue an actor's user messages wait in. System messages are never bounded.</summary>
public sealed class MailboxOptions
{
    private MailboxOptions(int capacity, MailboxOverflow overflow)
    {
        Capacity = capacity;
        Overflow = overflow;
    }

    /// <summary>An unbounded queue (the default).</summary>
    public static MailboxOptions Unbounded { get; } = new(0, MailboxOverflow.DropNewest);

    /// <summary>The most user messages that may wait; 0 means unbounded.</summary>
    public int Capacity { get; }

    /// <summary>What happens to a message that arrives when the queue is full.</summary>
    public MailboxOverflow Overflow { get; }

    /// <summary>True when <see cref="Capacity"/> limits the queue.</summary>
    public bool IsBounded => Capacity > 0;

    /// <summary>A queue of at most <paramref name="capacity"/> messages; overflow becomes dead letters.</summary>
    public static MailboxOptions Bounded(int capacity, MailboxOverflow overflow = MailboxOverflow.DropNewest)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return new MailboxOptions(capacity, overflow);
    }
}

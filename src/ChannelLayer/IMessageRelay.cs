namespace ActorChat.ChannelLayer;

/// <summary>
/// A fast path past a bound actor: messages of the types it <see cref="Relays"/> are handed straight to it (a
/// connection's socket writer, say) instead of the actor's mailbox, when nothing is waiting in that mailbox.
/// </summary>
public interface IMessageRelay
{
    /// <summary>True when messages of <paramref name="type"/> may skip the actor.</summary>
    bool Relays(string type);

    /// <summary>Takes the message; false when the relay cannot (not open yet, or closing), and the actor gets it instead.</summary>
    bool TryRelay(ChannelMessage message);
}

using ActorChat.ChannelLayer;

namespace ActorChat.Consumers;

/// <summary>The channel layer at hand in a consumer: groups and direct sends.</summary>
public abstract partial class WebSocketConsumer
{
    /// <summary>Adds this consumer's channel to <paramref name="group"/>; group messages then reach its handlers.</summary>
    protected Task GroupAddAsync(string group) => ChannelLayer.GroupAddAsync(group, ChannelName).AsTask();

    /// <summary>
    /// Adds this consumer's channel to <paramref name="group"/> and tracks its presence there under
    /// <paramref name="presence"/>: every node's <see cref="PresenceAsync"/> lists it, and the group's members (this one
    /// too) get a <see cref="PresenceDiff"/> with it among the joins. The presence ends when the consumer leaves the
    /// group or stops, however it stops.
    /// </summary>
    /// <exception cref="InvalidPresenceException">The key or meta breaks a rule; the consumer is then not in the group.</exception>
    protected Task GroupAddAsync(string group, PresenceInfo presence) => ChannelLayer.GroupAddAsync(group, ChannelName, presence).AsTask();

    /// <summary>Who is in <paramref name="group"/>, on every node: each key with one meta per connection.</summary>
    protected Task<IReadOnlyList<PresenceEntry>> PresenceAsync(string group) => ChannelLayer.PresenceAsync(group).AsTask();

    /// <summary>Removes this consumer's channel from <paramref name="group"/>, and its presence there if it has one.</summary>
    protected Task GroupDiscardAsync(string group) => ChannelLayer.GroupDiscardAsync(group, ChannelName).AsTask();

    /// <summary>
    /// Sends <paramref name="message"/> (a <see cref="ChannelMessage"/>, or a record with
    /// <see cref="ChannelMessageTypeAttribute"/>) to every member of <paramref name="group"/>, this consumer included if it is one.
    /// </summary>
    protected Task GroupSendAsync(string group, object message) => ChannelLayer.GroupSendAsync(group, ChannelMessage.From(message)).AsTask();

    /// <summary>Sends <paramref name="message"/> to one channel, such as another consumer's <see cref="ChannelName"/>.</summary>
    protected Task SendToChannelAsync(string channel, object message) => ChannelLayer.SendAsync(channel, ChannelMessage.From(message)).AsTask();
}

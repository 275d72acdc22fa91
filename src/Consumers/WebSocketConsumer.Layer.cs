using ActorChat.ChannelLayer;

namespace ActorChat.Consumers;

/// <summary>The channel layer at hand in a consumer: groups and direct sends.</summary>
public abstract partial class WebSocketConsumer
{
    /// <summary>Adds this consumer's channel to <paramref name="group"/>; group messages then reach its handlers.</summary>
    protected Task GroupAddAsync(string group) => ChannelLayer.GroupAddAsync(group, ChannelName).AsTask();

    /// <summary>Removes this consumer's channel from <paramref name="group"/>.</summary>
    protected Task GroupDiscardAsync(string group) => ChannelLayer.GroupDiscardAsync(group, ChannelName).AsTask();

    /// <summary>
    /// Sends <paramref name="message"/> (a <see cref="ChannelMessage"/>, or a record with
    /// <see cref="ChannelMessageTypeAttribute"/>) to every member of <paramref name="group"/>, this consumer included if it is one.
    /// </summary>
    protected Task GroupSendAsync(string group, object message) => ChannelLayer.GroupSendAsync(group, ChannelMessage.From(message)).AsTask();

    /// <summary>Sends <paramref name="message"/> to one channel, such as another consumer's <see cref="ChannelName"/>.</summary>
    protected Task SendToChannelAsync(string channel, object message) => ChannelLayer.SendAsync(channel, ChannelMessage.From(message)).AsTask();
}

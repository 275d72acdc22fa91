using ActorChat.ChannelLayer;

namespace ActorChat.Gateway.Chat;

/// <summary>Maps a room name to its channel layer group, <c>chat_{room}</c>, the one place both the consumer and the HTTP API use.</summary>
public static class RoomGroup
{
    /// <summary>The naming rule for rooms, in words.</summary>
    public const string Rule = "use 1 to 90 ASCII letters, digits, '-', '_' or '.'";

    /// <summary>The group of <paramref name="room"/>.</summary>
    public static string For(string room) => "chat_" + room;

    /// <summary>True when <paramref name="room"/> makes a valid group name.</summary>
    public static bool IsValidRoom(string? room) => !string.IsNullOrEmpty(room) && room.Length <= 90 && ChannelNames.IsValidGroup(For(room));
}

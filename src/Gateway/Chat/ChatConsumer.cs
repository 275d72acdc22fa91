using System.Net.WebSockets;
using System.Text.Json;
using ActorChat.ChannelLayer;
using ActorChat.ChannelLayer.Redis;
using ActorChat.Consumers;
using Akka.Actor;
using Akka.Hosting;

namespace ActorChat.Gateway.Chat;

/// <summary>
/// The Django Channels tutorial chat: a client sends <c>{"message": "hi"}</c>, and every member of the room,
/// the sender too, receives <c>{"message": "hi"}</c>. A room message goes to each client as its fields, encoded once
/// per node and relayed past the consumer actor (<see cref="RelayToClientAttribute"/>).
/// </summary>
/// <remarks>
/// <para>A client that connects with <c>?nick=ada</c> joins with presence: it first gets
/// <c>{"event": "presence_state", "presences": {"ada": {"metas": [...]}}}</c>, and its messages carry the nick. Every
/// member of a room where someone has presence gets <c>{"event": "presence_diff", "joins": …, "leaves": …}</c> for each
/// batch of joins and leaves (encoded once per node). A room where nobody gave a nick has no presence frames.</para>
/// <c>{"message": "/nick ada"}</c> asks the node's <see cref="NicknameRegistry"/> (an actor the application registered with
/// Akka.Hosting) for the name; the sender alone gets <c>{"nick": "ada"}</c> or an error frame, and its later messages
/// carry <c>"nick": "ada"</c>.
/// </remarks>
[ConsumerRoute("/ws/chat/{room}/")]
[RelayToClient("chat.message")]
public sealed class ChatConsumer : JsonWebSocketConsumer
{
    private const string NickCommand = "/nick ";
    private bool _joined;
    private string? _nick;
    private string? _group;

    private string Room => Scope.Route["room"]?.ToString() ?? "";

    private string Group => _group ??= RoomGroup.For(Room); // made once, not on every message

    /// <summary>Refuses (403) a room name that cannot be a group name, joins the room's group, then accepts.</summary>
    protected override async Task OnConnectAsync()
    {
        if (!RoomGroup.IsValidRoom(Room))
        {
            throw new DenyConnectionException($"room '{Room}' is not a valid name: {RoomGroup.Rule}");
        }

        var nick = Scope.Query["nick"].ToString();
        if (nick.Length > 0 && !Nicknames.IsValid(nick))
        {
            throw new DenyConnectionException($"'{nick}' is not a nickname: {Nicknames.Rule}");
        }

        if (nick.Length == 0)
        {
            await GroupAddAsync(Group);
            _joined = true;
            await AcceptAsync();
            return;
        }

        _nick = nick;
        await GroupAddAsync(Group, new PresenceInfo(nick));
        _joined = true;
        await AcceptAsync();
        IReadOnlyList<PresenceEntry> entries;
        try
        {
            entries = await PresenceAsync(Group);
        }
        catch (Exception ex) when (ex is AskTimeoutException or RedisUnavailableException)
        {
            await SendErrorAsync("the room's presence list is not available now; reconnect to get it");
            return; // the connection and its diffs go on
        }

        await SendJsonAsync(new { @event = "presence_state", presences = entries.ToDictionary(e => e.Key, e => new PresenceMetas(e.Metas)) });
    }

    /// <summary>
    /// Forwards a diff as its fields, the bytes encoded once per node. Through the consumer, not relayed past it: the
    /// state frame goes first, then every diff in order, so a client's folded list never misses a change.
    /// </summary>
    [Handles(PresenceDiff.MessageType)]
    private Task OnPresenceDiff(ChannelMessage diff) => SendFieldsAsync(diff);

    /// <summary>Leaves the room.</summary>
    protected override Task OnDisconnectAsync(WebSocketCloseStatus? status) => _joined ? GroupDiscardAsync(Group) : Task.CompletedTask;

    /// <summary>Broadcasts <c>{"message": text}</c> to the room, or runs <c>/nick</c>; anything else gets an error frame and the connection stays open.</summary>
    protected override Task OnReceiveJsonAsync(JsonElement content)
    {
        if (content.ValueKind != JsonValueKind.Object || !content.TryGetProperty("message", out var field) || field.ValueKind != JsonValueKind.String)
        {
            return SendErrorAsync("expected an object like {\"message\": \"hi\"}");
        }

        var message = field.GetString()!;
        return message.StartsWith(NickCommand, StringComparison.Ordinal)
            ? ClaimNicknameAsync(message[NickCommand.Length..].Trim())
            : GroupSendAsync(Group, new ChatMessage(message, _nick));
    }

    private async Task ClaimNicknameAsync(string nick)
    {
        if (!Nicknames.IsValid(nick))
        {
            await SendErrorAsync($"'{nick}' is not a nickname: {Nicknames.Rule}");
            return;
        }

        if (!ActorRegistry.For(Context.System).TryGet<NicknameRegistry>(out var registry))
        {
            await SendErrorAsync("nicknames are not available on this node");
            return;
        }

        object answer;
        try
        {
            answer = await registry.Ask<object>(new ClaimNickname(nick, Self), Nicknames.AskTimeout);
        }
        catch (AskTimeoutException)
        {
            await SendErrorAsync("the nickname registry did not answer; try again");
            return;
        }

        switch (answer)
        {
            case NicknameClaimed claimed:
                _nick = claimed.Nickname;
                await SendJsonAsync(new { nick = claimed.Nickname });
                break;
            case NicknameTaken taken:
                await SendErrorAsync($"the nickname '{taken.Nickname}' is taken");
                break;
        }
    }
}

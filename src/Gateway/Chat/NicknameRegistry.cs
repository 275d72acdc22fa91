using Akka.Actor;

namespace ActorChat.Gateway.Chat;

/// <summary>
/// Who goes by which nickname on this node: each nickname has one owner, and it is free again when its owner stops
/// (death watch), so a closed tab never keeps a name. An ordinary actor, started and registered with Akka.Hosting
/// (<c>WithActors</c>, <c>ActorRegistry</c>), that <see cref="ChatConsumer"/> asks for <c>/nick</c>.
/// </summary>
public sealed class NicknameRegistry : ReceiveActor
{
    private readonly Dictionary<string, IActorRef> _owners = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<IActorRef, string> _names = [];

    /// <summary>Answers <see cref="ClaimNickname"/> with <see cref="NicknameClaimed"/> or <see cref="NicknameTaken"/>.</summary>
    public NicknameRegistry()
    {
        Receive<ClaimNickname>(Claim);
        Receive<Terminated>(terminated => Release(terminated.ActorRef));
    }

    private void Claim(ClaimNickname claim)
    {
        if (_owners.TryGetValue(claim.Nickname, out var owner) && !owner.Equals(claim.Owner))
        {
            Sender.Tell(new NicknameTaken(claim.Nickname));
            return;
        }

        if (_names.TryGetValue(claim.Owner, out var previous))
        {
            _owners.Remove(previous); // a new name frees the old one
        }
        else
        {
            Context.Watch(claim.Owner);
        }

        _owners[claim.Nickname] = claim.Owner;
        _names[claim.Owner] = claim.Nickname;
        Sender.Tell(new NicknameClaimed(claim.Nickname));
    }

    private void Release(IActorRef owner)
    {
        if (_names.Remove(owner, out var name))
        {
            _owners.Remove(name);
        }
    }
}

/// <summary>Asks the <see cref="NicknameRegistry"/> for <see cref="Nickname"/> on behalf of <see cref="Owner"/>, which it watches.</summary>
/// <param name="Nickname">The name asked for.</param>
/// <param name="Owner">The actor that will go by it (a consumer).</param>
public sealed record ClaimNickname(string Nickname, IActorRef Owner);

/// <summary>The nickname is the owner's now; its previous one, if any, is free.</summary>
/// <param name="Nickname">The name.</param>
public sealed record NicknameClaimed(string Nickname);

/// <summary>Another live actor goes by this nickname.</summary>
/// <param name="Nickname">The name.</param>
public sealed record NicknameTaken(string Nickname);

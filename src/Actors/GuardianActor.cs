namespace ActorChat.Actors;

/// <summary>The parent of every top-level actor (<c>/user</c>). It handles no messages itself.</summary>
internal sealed class GuardianActor : ActorBase
{
    protected override bool Receive(object message) => false;
}

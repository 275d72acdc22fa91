using Akka.Actor;

namespace ActorChat.ChannelLayer.Tests;

/// <summary>Terminates a node's own actor system (beside the test kit's) when the test cleans up.</summary>
internal sealed class TerminateOnDispose(ActorSystem system) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => new(system.Terminate());
}

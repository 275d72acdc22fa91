namespace ActorChat.Actors;

/// <summary>A one-shot reference that completes an <c>Ask</c>; replies after the first become dead letters.</summary>
internal sealed class PromiseActorRef(ActorPath path, ActorSystem? system) : IActorRef
{
    private readonly TaskCompletionSource<object> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ActorPath Path { get; } = path;

    public Task<object> Reply => _reply.Task;

    public void Tell(object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!_reply.TrySetResult(message))
        {
            system?.PublishDeadLetter(new Envelope(message, sender), this);
        }
    }

    /// <summary>Ends the promise so a late reply is a dead letter.</summary>
    public void Abandon() => _reply.TrySetCanceled();
}

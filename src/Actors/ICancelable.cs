namespace ActorChat.Actors;

/// <summary>A scheduled delivery that can still be called off.</summary>
public interface ICancelable
{
    /// <summary>True once <see cref="Cancel"/> has been called.</summary>
    bool IsCancellationRequested { get; }

    /// <summary>Stops any delivery that has not started yet. Safe to call more than once.</summary>
    void Cancel();
}

namespace ActorChat.Actors;

/// <summary>What a supervisor does with a child that failed.</summary>
public enum Directive
{
    /// <summary>Keep the child's state and go on with its next message.</summary>
    Resume,

    /// <summary>Replace the child's instance with a fresh one; its mailbox is kept.</summary>
    Restart,

    /// <summary>Stop the child.</summary>
    Stop,

    /// <summary>Fail the supervisor itself with the same exception, so its own parent decides.</summary>
    Escalate,
}

using Microsoft.Extensions.Logging;

namespace ActorChat.Actors;

/// <summary>The kernel's log messages, source-generated, with stable event ids.</summary>
internal static partial class ActorSystemLog
{
    [LoggerMessage(1, LogLevel.Error, "Actor {Path} failed while processing {MessageType}")]
    public static partial void ActorFailed(ILogger logger, ActorPath path, string messageType, Exception exception);

    [LoggerMessage(2, LogLevel.Debug, "Supervisor {Supervisor} applies {Directive} to {Child} after {ExceptionType}")]
    public static partial void SupervisorDirective(ILogger logger, ActorPath supervisor, Directive directive, ActorPath child, string exceptionType);

    [LoggerMessage(3, LogLevel.Warning, "Failure of {Child} ({ExceptionType}) escalated to the user guardian; the child is stopped")]
    public static partial void EscalatedToGuardian(ILogger logger, ActorPath child, string exceptionType);

    [LoggerMessage(4, LogLevel.Error, "{Hook} of actor {Path} threw; the life cycle goes on")]
    public static partial void LifecycleHookFailed(ILogger logger, ActorPath path, string hook, Exception exception);

    [LoggerMessage(5, LogLevel.Debug, "Dead letter {MessageType} from {Sender} to {Recipient}")]
    public static partial void DeadLetter(ILogger logger, string messageType, string sender, ActorPath recipient);
}

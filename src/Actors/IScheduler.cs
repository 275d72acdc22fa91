namespace ActorChat.Actors;

/// <summary>Delivers messages to actors later, once or repeatedly.</summary>
public interface IScheduler
{
    /// <summary>Tells <paramref name="message"/> to <paramref name="receiver"/> after <paramref name="delay"/>.</summary>
    ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender = null);

    /// <summary>Tells <paramref name="message"/> to <paramref name="receiver"/> after <paramref name="initialDelay"/>, then every <paramref name="interval"/> until cancelled.</summary>
    ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender = null);
}

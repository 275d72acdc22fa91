using Akka.Actor;
using Akka.Hosting;

namespace ActorChat.Consumers;

/// <summary>
/// The parent of every consumer on a node, one per actor system, registered in Akka.Hosting's <see cref="ActorRegistry"/>
/// (<see cref="ConsumerSupervisors.For"/>).
/// A consumer that throws is stopped, never restarted: its connection state cannot be rebuilt, so its connection
/// closes with 1011 and the node goes on.
/// </summary>
internal sealed class ConsumerSupervisor : UntypedActor
{
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    protected override void OnReceive(object message)
    {
        if (message is StartConsumer start)
        {
            start.Run(Context.ActorOf(start.Props));
            return;
        }

        Unhandled(message);
    }
}

/// <summary>Asks the <see cref="ConsumerSupervisor"/> to start a consumer and hand it to <see cref="Run"/>.</summary>
internal abstract class StartConsumer(Props props)
{
    /// <summary>How to make the consumer.</summary>
    public Props Props { get; } = props;

    /// <summary>Called on the supervisor with the new consumer, before it has processed anything.</summary>
    public abstract void Run(IActorRef consumer);
}

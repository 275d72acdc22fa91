using ActorChat.Actors;

namespace ActorChat.Consumers;

/// <summary>
/// The parent of every consumer on a node. A consumer that throws is stopped, never restarted: its
/// connection state cannot be rebuilt, so the bridge closes the socket with 1011 and the node goes on.
/// </summary>
internal sealed class ConsumerSupervisor : ActorBase
{
    protected override SupervisorStrategy SupervisorStrategy() => Actors.SupervisorStrategy.StoppingStrategy;

    protected override bool Receive(object message)
    {
        if (message is not SpawnConsumer spawn)
        {
            return false;
        }

        Sender.Tell(Context.ActorOf(spawn.Props));
        return true;
    }
}

/// <summary>Asks the <see cref="ConsumerSupervisor"/> to start a consumer; answered with its <see cref="IActorRef"/>.</summary>
internal sealed record SpawnConsumer(Props Props);

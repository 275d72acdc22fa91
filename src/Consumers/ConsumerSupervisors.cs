using Akka.Actor;
using Akka.Hosting;

namespace ActorChat.Consumers;

/// <summary>Finds, or starts once, the <see cref="ConsumerSupervisor"/> of an actor system.</summary>
internal static class ConsumerSupervisors
{
    /// <summary>The supervisor's name under <c>/user</c>.</summary>
    public const string Name = "actorchat-consumers";

    private static readonly Lock s_starting = new();

    /// <summary>
    /// The system's supervisor: the one registered in its <see cref="ActorRegistry"/> (Akka.Hosting's <c>WithActorChat</c>
    /// registers it at start), or, in a system without that (a test), one started and registered now.
    /// </summary>
    public static IActorRef For(ActorSystem system)
    {
        var registry = ActorRegistry.For(system);
        if (registry.TryGet<ConsumerSupervisor>(out var existing))
        {
            return existing;
        }

        lock (s_starting)
        {
            if (registry.TryGet<ConsumerSupervisor>(out existing))
            {
                return existing;
            }

            var supervisor = system.ActorOf(Props.Create<ConsumerSupervisor>(), Name);
            registry.Register<ConsumerSupervisor>(supervisor);
            return supervisor;
        }
    }
}

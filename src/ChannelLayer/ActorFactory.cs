using Akka.Actor;

namespace ActorChat.ChannelLayer;

/// <summary>
/// Props for an actor made by a plain delegate. Akka's <c>Props.Create(() => new T(...))</c> compiles an expression per
/// call, and <c>Props.Create&lt;T&gt;(args)</c> activates by reflection; a producer is a direct call, which is what keeps
/// spawning rooms and consumers cheap (measured in BENCHMARKS.md, "ActorBench on Akka.NET").
/// </summary>
internal static class ActorFactory
{
    /// <summary>Props whose actors <paramref name="create"/> makes; local only (a delegate cannot be deployed remotely).</summary>
    public static Props Props<TActor>(Func<TActor> create) where TActor : ActorBase =>
        Akka.Actor.Props.CreateBy(new DelegateProducer<TActor>(create));

    private sealed class DelegateProducer<TActor>(Func<TActor> create) : IIndirectActorProducer where TActor : ActorBase
    {
        public Type ActorType => typeof(TActor);

        public ActorBase Produce() => create();

        public void Release(ActorBase actor)
        {
        }
    }
}

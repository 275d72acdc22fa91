using ActorChat.Actors;

namespace ActorChat.TestKit;

/// <summary>Blocking forms of the expectations, for tests written in Akka.TestKit's synchronous style.</summary>
public sealed partial class TestProbe
{
    /// <summary>Blocking <see cref="ExpectMsgAsync{T}(Func{T, bool}?, TimeSpan?)"/>.</summary>
    public T ExpectMsg<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null) => ExpectMsgAsync(predicate, timeout).GetAwaiter().GetResult();

    /// <summary>Blocking <see cref="ExpectNoMsgAsync"/>.</summary>
    public void ExpectNoMsg(TimeSpan? duration = null) => ExpectNoMsgAsync(duration).GetAwaiter().GetResult();

    /// <summary>Blocking <see cref="ExpectTerminatedAsync"/>.</summary>
    public Terminated ExpectTerminated(IActorRef target, TimeSpan? timeout = null) => ExpectTerminatedAsync(target, timeout).GetAwaiter().GetResult();

    /// <summary>Blocking <see cref="FishForMessageAsync{T}"/>.</summary>
    public T FishForMessage<T>(Func<T, bool> isTheOne, TimeSpan? timeout = null) => FishForMessageAsync(isTheOne, timeout).GetAwaiter().GetResult();

    /// <summary>Blocking <see cref="ReceiveNAsync"/>.</summary>
    public IReadOnlyList<object> ReceiveN(int count, TimeSpan? timeout = null) => ReceiveNAsync(count, timeout).GetAwaiter().GetResult();

    /// <summary>Blocking <see cref="WatchAsync"/>.</summary>
    public void Watch(IActorRef target) => WatchAsync(target).GetAwaiter().GetResult();

    /// <summary>Blocking <see cref="AwaitAssertAsync(Action, TimeSpan?, TimeSpan?)"/>.</summary>
    public static void AwaitAssert(Action assertion, TimeSpan? duration = null, TimeSpan? interval = null) =>
        AwaitAssertAsync(assertion, duration, interval).GetAwaiter().GetResult();
}

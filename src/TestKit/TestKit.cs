using ActorChat.Actors;
using Xunit;

namespace ActorChat.TestKit;

/// <summary>
/// Base class for xunit tests of actors: each test gets its own <see cref="ActorSystem"/>, shut down
/// after the test, and a default <see cref="TestActor"/> probe whose expectations are at hand.
/// </summary>
public abstract class TestKit : IAsyncLifetime
{
    /// <summary>Creates the test's system.</summary>
    /// <param name="options">System options; defaults when null.</param>
    protected TestKit(ActorSystemOptions? options = null)
    {
        Sys = ActorSystem.Create("test-" + GetType().Name.Replace('`', '-'), options);
        TestActor = CreateTestProbe("testActor");
    }

    /// <summary>The test's actor system.</summary>
    public ActorSystem Sys { get; }

    /// <summary>The default probe; the kit's own expectation methods read from it.</summary>
    public TestProbe TestActor { get; }

    /// <summary>Creates another probe in <see cref="Sys"/>.</summary>
    public TestProbe CreateTestProbe(string? name = null) => new(Sys, name);

    /// <summary>Expects the next message to <see cref="TestActor"/>; see <see cref="TestProbe.ExpectMsgAsync{T}(Func{T, bool}?, TimeSpan?)"/>.</summary>
    public Task<T> ExpectMsgAsync<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null) => TestActor.ExpectMsgAsync(predicate, timeout);

    /// <summary>Expects <paramref name="expected"/> next at <see cref="TestActor"/>.</summary>
    public Task<T> ExpectMsgAsync<T>(T expected, TimeSpan? timeout = null) where T : notnull => TestActor.ExpectMsgAsync(expected, timeout);

    /// <summary>Expects silence at <see cref="TestActor"/>.</summary>
    public Task ExpectNoMsgAsync(TimeSpan? duration = null) => TestActor.ExpectNoMsgAsync(duration);

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test, before <see cref="Sys"/> terminates: dispose what the test built on the system.</summary>
    protected virtual Task BeforeShutdownAsync() => Task.CompletedTask;

    /// <summary>Terminates <see cref="Sys"/> and fails if it does not stop within the default timeout.</summary>
    async Task IAsyncLifetime.DisposeAsync()
    {
        await BeforeShutdownAsync();
        var terminated = Sys.Terminate();
        if (await Task.WhenAny(terminated, Task.Delay(TestKitSettings.DefaultTimeout)) != terminated)
        {
            throw new ExpectationFailedException($"Actor system {Sys.Name} did not terminate within {TestProbe.Format(TestKitSettings.DefaultTimeout)}.");
        }
    }
}

using ActorChat.ChannelLayer;
using Akka.Actor;

namespace ActorChat.Consumers;

/// <summary>
/// Starts consumers, the one way both the Kestrel bridge and the TestKit's communicator do it: name the consumer's
/// channel, spawn the consumer under the system's <see cref="ConsumerSupervisor"/>, bind the channel (with the
/// transport's relay for the types the consumer relays), and send the connect event.
/// </summary>
internal sealed class ConsumerLauncher(IActorRef supervisor, IChannelLayer layer, TimeSpan timeout)
{
    /// <summary>Starts a consumer for one connection; returns it once it is bound and has its connect event queued.</summary>
    /// <exception cref="TimeoutException">The supervisor did not start the consumer within the timeout (the system is stopping).</exception>
    public async Task<IActorRef> LaunchAsync(Props props, Scope scope, IConsumerTransport transport, CancellationToken cancellationToken = default)
    {
        var channel = await layer.NewChannelAsync("consumer", cancellationToken).ConfigureAwait(false); // "consumer.*": ChannelLayer:ConsumerCapacity applies
        var relayed = HandlerTable.For(props.Type).Relayed;
        var relay = relayed.Count > 0 ? transport.CreateRelay(relayed) : null;
        var start = new Start(props, new Connection(scope, transport, layer, channel, relay));
        supervisor.Tell(start, ActorRefs.NoSender);
        return await start.Started.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
    }

    private sealed record Connection(Scope Scope, IConsumerTransport Transport, IChannelLayer Layer, string Channel, IMessageRelay? Relay);

    /// <summary>Runs on the supervisor: a direct call back instead of an ask, so a connect costs no temporary actor.</summary>
    private sealed class Start(Props props, Connection connection) : StartConsumer(props)
    {
        private readonly TaskCompletionSource<IActorRef> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<IActorRef> Started => _started.Task;

        public override void Run(IActorRef consumer)
        {
            var binding = connection.Layer.Bind(connection.Channel, consumer, connection.Relay);
            consumer.Tell(new ConnectEvent(connection.Scope, connection.Transport, connection.Layer, binding), ActorRefs.NoSender);
            _started.TrySetResult(consumer);
        }
    }
}

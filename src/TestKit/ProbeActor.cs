using System.Threading.Channels;
using ActorChat.Actors;

namespace ActorChat.TestKit;

/// <summary>The actor behind a <see cref="TestProbe"/>: it queues every message for the test to inspect.</summary>
internal sealed class ProbeActor(ChannelWriter<ReceivedMessage> queue, TimeProvider time) : ActorBase
{
    protected override bool Receive(object message)
    {
        if (message is WatchCommand watch)
        {
            Context.Watch(watch.Target);
            Sender.Tell(WatchCommand.Ack);
            return true;
        }

        if (message is UnwatchCommand unwatch)
        {
            Context.Unwatch(unwatch.Target);
            Sender.Tell(WatchCommand.Ack);
            return true;
        }

        queue.TryWrite(new ReceivedMessage(message, Sender, time.GetTimestamp()));
        return true;
    }
}

/// <summary>One message a probe received, with its sender and arrival time.</summary>
internal readonly record struct ReceivedMessage(object Message, IActorRef Sender, long Timestamp);

/// <summary>Makes a probe's actor watch <see cref="Target"/>.</summary>
internal sealed record WatchCommand(IActorRef Target)
{
    public static readonly object Ack = new();
}

/// <summary>Makes a probe's actor stop watching <see cref="Target"/>.</summary>
internal sealed record UnwatchCommand(IActorRef Target);

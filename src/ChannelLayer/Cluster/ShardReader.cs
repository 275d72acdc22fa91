using Akka.Actor;
using Akka.DistributedData;

namespace ActorChat.ChannelLayer.Cluster;

/// <summary>
/// Reads several sets from this node's replica (<see cref="ReadLocal"/>) for one caller: one message in, the replicator's
/// answers gathered here, one completion out. An ask per set cost a temporary actor, a task and a continuation each,
/// which made a list of a small room, read from all of a group's shards, three times as slow as a read of one set.
/// </summary>
internal sealed class ShardReader : ReceiveActor
{
    private readonly IActorRef _replicator;

    public ShardReader(IActorRef replicator)
    {
        _replicator = replicator;
        Receive<Read>(Start);
        Receive<IGetResponse>(Answer);
    }

    /// <summary>Reads <paramref name="keys"/> through <paramref name="reader"/>; the answers are in the order of the keys.</summary>
    /// <exception cref="AskTimeoutException">The replicator did not answer them all within <paramref name="timeout"/>.</exception>
    public static async Task<IGetResponse[]> ReadAsync(IActorRef reader, IReadOnlyList<ORSetKey<string>> keys, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var read = new Read(keys);
        reader.Tell(read);
        try
        {
            return await read.Done.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new AskTimeoutException($"This node's replicator did not answer a read of {keys.Count} presence set(s) within {timeout}.");
        }
    }

    private void Start(Read read)
    {
        if (read.Keys.Count == 0)
        {
            read.Done.TrySetResult([]);
            return;
        }

        for (var i = 0; i < read.Keys.Count; i++)
        {
            _replicator.Tell(Dsl.Get(read.Keys[i], ReadLocal.Instance, new Slot(read, i)));
        }
    }

    private static void Answer(IGetResponse response)
    {
        var slot = (Slot)response.Request!;
        var read = slot.Read;
        read.Answers[slot.Index] = response;
        if (++read.Answered == read.Keys.Count)
        {
            read.Done.TrySetResult(read.Answers); // the caller goes on off this actor's thread
        }
    }

    /// <summary>One caller's read, and the answers so far (touched only on the reader's thread).</summary>
    private sealed class Read(IReadOnlyList<ORSetKey<string>> keys)
    {
        public IReadOnlyList<ORSetKey<string>> Keys => keys;

        public IGetResponse[] Answers { get; } = new IGetResponse[keys.Count];

        public int Answered { get; set; }

        public TaskCompletionSource<IGetResponse[]> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Which read and which of its keys an answer is for.</summary>
    private sealed record Slot(Read Read, int Index);
}

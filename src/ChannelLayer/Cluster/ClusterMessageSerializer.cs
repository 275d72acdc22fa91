using System.Text;
using Akka.Actor;
using Akka.Serialization;

namespace ActorChat.ChannelLayer.Cluster;

/// <summary>
/// Serializes the cluster layer's messages (<see cref="IClusterMessage"/>) as length-prefixed UTF-8 strings and raw bytes,
/// with one-letter manifests. A message's fields go through as the bytes the sender encoded, never re-encoded.
/// Register it for <see cref="IClusterMessage"/> with id <see cref="SerializerId"/> (Akka.Hosting's <c>WithCustomSerializer</c>).
/// </summary>
public sealed class ClusterMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The serializer id, above Akka's reserved range.</summary>
    public const int SerializerId = 771;

    /// <summary>The types this serializer binds to.</summary>
    public static readonly Type[] Bindings = [typeof(IClusterMessage)];

    /// <inheritdoc />
    public override int Identifier => SerializerId;

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        GroupBatch => "G",
        DirectFrame => "D",
        Hello => "H",
        HelloBack => "B",
        GetLocalMembers => "M",
        LocalMembers => "L",
        Enqueue => "E",
        Enqueued => "e",
        Dequeue => "Q",
        Dequeued => "q",
        CancelDequeue => "C",
        Requeue => "R",
        FlushQueues => "F",
        QueuesFlushed => "f",
        _ => throw new ArgumentException($"{o.GetType().Name} is not a cluster layer message.", nameof(o)),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        if (obj is GroupBatch batch)
        {
            return batch.Serialized ??= SerializeBatch(batch.Frames);
        }

        var writer = new Writer();
        switch (obj)
        {
            case DirectFrame m: writer.String(m.Channel).String(m.Type).Bytes(m.Payload); break;
            case Hello m: writer.String(m.NodeId).String(Serialization.SerializedActorPath(m.Relay)); break;
            case HelloBack m: writer.String(m.NodeId).String(Serialization.SerializedActorPath(m.Relay)).String(m.To); break;
            case GetLocalMembers m: writer.String(m.Group); break;
            case LocalMembers m: writer.Strings(m.Channels); break;
            case Enqueue m: writer.String(m.Channel).String(m.Type).Bytes(m.Payload); break;
            case Enqueued m: writer.Int(m.Accepted ? 1 : 0).Int(m.Capacity).Int(m.Expired); break;
            case Dequeue m: writer.String(m.Channel).Long(m.Ticket); break;
            case Dequeued m: writer.String(m.Channel).Long(m.Ticket).String(m.Type).Bytes(m.Payload).Int(m.Expired); break;
            case CancelDequeue m: writer.String(m.Channel).Long(m.Ticket); break;
            case Requeue m: writer.String(m.Channel).String(m.Type).Bytes(m.Payload); break;
            case FlushQueues or QueuesFlushed: break;
            default: throw new ArgumentException($"{obj.GetType().Name} is not a cluster layer message.", nameof(obj));
        }

        return writer.ToArray();
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        var r = new Reader(bytes);
        return manifest switch
        {
            "G" => new GroupBatch(ReadFrames(ref r)),
            "D" => new DirectFrame(r.String(), r.String(), r.Bytes()),
            "H" => new Hello(r.String(), Resolve(r.String())),
            "B" => new HelloBack(r.String(), Resolve(r.String()), r.String()),
            "M" => new GetLocalMembers(r.String()),
            "L" => new LocalMembers(r.Strings()),
            "E" => new Enqueue(r.String(), r.String(), r.Bytes()),
            "e" => new Enqueued(r.Int() == 1, r.Int(), r.Int()),
            "Q" => new Dequeue(r.String(), r.Long()),
            "q" => new Dequeued(r.String(), r.Long(), r.String(), r.Bytes(), r.Int()),
            "C" => new CancelDequeue(r.String(), r.Long()),
            "R" => new Requeue(r.String(), r.String(), r.Bytes()),
            "F" => FlushQueues.Instance,
            "f" => QueuesFlushed.Instance,
            _ => throw new System.Runtime.Serialization.SerializationException($"Unknown cluster layer manifest '{manifest}'."),
        };
    }

    /// <summary>The hot path: one array of the exact size, written once (a batch under load holds a hundred frames).</summary>
    private static byte[] SerializeBatch(GroupFrame[] frames)
    {
        var size = 4;
        foreach (var frame in frames)
        {
            size += 12 + Encoding.UTF8.GetByteCount(frame.Group) + Encoding.UTF8.GetByteCount(frame.Type) + frame.Payload.Length;
        }

        var bytes = new byte[size];
        var span = bytes.AsSpan();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span, frames.Length);
        var at = 4;
        foreach (var frame in frames)
        {
            at = WriteString(span, at, frame.Group);
            at = WriteString(span, at, frame.Type);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span[at..], frame.Payload.Length);
            frame.Payload.CopyTo(span[(at + 4)..]);
            at += 4 + frame.Payload.Length;
        }

        return bytes;

        static int WriteString(Span<byte> span, int at, string value)
        {
            var length = Encoding.UTF8.GetBytes(value, span[(at + 4)..]);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span[at..], length);
            return at + 4 + length;
        }
    }

    private IActorRef Resolve(string path) => system.Provider.ResolveActorRef(path);

    private static GroupFrame[] ReadFrames(ref Reader r)
    {
        var frames = new GroupFrame[r.Int()];
        for (var i = 0; i < frames.Length; i++)
        {
            frames[i] = new GroupFrame(r.String(), r.String(), r.Bytes());
        }

        return frames;
    }

    private sealed class Writer
    {
        private readonly MemoryStream _buffer = new();

        public Writer String(string value) => Bytes(Encoding.UTF8.GetBytes(value));

        public Writer Strings(string[] values)
        {
            Int(values.Length);
            foreach (var value in values)
            {
                String(value);
            }

            return this;
        }

        public Writer Bytes(byte[] value)
        {
            Int(value.Length);
            _buffer.Write(value);
            return this;
        }

        public Writer Int(int value)
        {
            Span<byte> four = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(four, value);
            _buffer.Write(four);
            return this;
        }

        public Writer Long(long value)
        {
            Span<byte> eight = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(eight, value);
            _buffer.Write(eight);
            return this;
        }

        public byte[] ToArray() => _buffer.ToArray();
    }

    private ref struct Reader(byte[] bytes)
    {
        private int _at;

        public string String() => Encoding.UTF8.GetString(Span());

        public string[] Strings()
        {
            var values = new string[Int()];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = String();
            }

            return values;
        }

        public byte[] Bytes() => Span().ToArray();

        public int Int()
        {
            var value = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(_at, 4));
            _at += 4;
            return value;
        }

        public long Long()
        {
            var value = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(_at, 8));
            _at += 8;
            return value;
        }

        private ReadOnlySpan<byte> Span()
        {
            var length = Int();
            var span = bytes.AsSpan(_at, length);
            _at += length;
            return span;
        }
    }
}

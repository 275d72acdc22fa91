using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using ActorChat.ChannelLayer;

namespace ActorChat.Consumers;

/// <summary>
/// The message type → handler lookup of one consumer type, built once from its <see cref="HandlesAttribute"/>
/// methods into compiled delegates, so dispatch is a dictionary lookup and a call, not reflection.
/// </summary>
internal sealed class HandlerTable
{
    private static readonly ConcurrentDictionary<Type, HandlerTable> s_tables = new();
    private static readonly MethodInfo s_deserialize = typeof(ChannelMessage).GetMethod(nameof(ChannelMessage.Deserialize))!;

    private readonly Dictionary<string, Func<WebSocketConsumer, ChannelMessage, Task>> _handlers;

    private HandlerTable(Dictionary<string, Func<WebSocketConsumer, ChannelMessage, Task>> handlers, IReadOnlySet<string> relayed)
    {
        _handlers = handlers;
        Relayed = relayed;
    }

    /// <summary>The types the consumer relays to its client as they are (<see cref="RelayToClientAttribute"/>).</summary>
    public IReadOnlySet<string> Relayed { get; }

    /// <summary>The table of <paramref name="consumerType"/>; throws with the fix if a handler is declared wrongly.</summary>
    public static HandlerTable For(Type consumerType) => s_tables.GetOrAdd(consumerType, Build);

    public Func<WebSocketConsumer, ChannelMessage, Task>? Find(string type) => _handlers.GetValueOrDefault(type);

    /// <summary>True when messages of <paramref name="type"/> go to the client as they are (<see cref="RelayToClientAttribute"/>).</summary>
    public bool IsRelayed(string type) => Relayed.Count > 0 && Relayed.Contains(type);

    private static HandlerTable Build(Type consumerType)
    {
        var handlers = new Dictionary<string, Func<WebSocketConsumer, ChannelMessage, Task>>(StringComparer.Ordinal);
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var type = consumerType; type is not null && type != typeof(WebSocketConsumer); type = type.BaseType)
        {
            foreach (var method in type.GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                foreach (var handles in method.GetCustomAttributes<HandlesAttribute>())
                {
                    var name = $"{type.Name}.{method.Name}";
                    if (!ChannelNames.IsValidType(handles.Type) || handles.Type.StartsWith('_'))
                    {
                        throw new InvalidOperationException($"{name} has [Handles(\"{handles.Type}\")], which is not a valid message type: use ASCII letters, digits, '-', '_' and '.', not starting with '_'.");
                    }

                    if (owners.TryGetValue(handles.Type, out var other))
                    {
                        if (other.StartsWith(type.Name + ".", StringComparison.Ordinal))
                        {
                            throw new InvalidOperationException($"Message type '{handles.Type}' has two handlers, {other} and {name}; keep one.");
                        }

                        continue; // a derived class's handler overrides its base's
                    }

                    owners[handles.Type] = name;
                    handlers[handles.Type] = Compile(type, method, handles.Type);
                }
            }
        }

        var relayed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var relay in consumerType.GetCustomAttributes<RelayToClientAttribute>(inherit: true))
        {
            if (!ChannelNames.IsValidType(relay.Type) || relay.Type.StartsWith('_'))
            {
                throw new InvalidOperationException($"{consumerType.Name} has [RelayToClient(\"{relay.Type}\")], which is not a valid message type.");
            }

            if (owners.TryGetValue(relay.Type, out var handler))
            {
                throw new InvalidOperationException($"{consumerType.Name} both relays '{relay.Type}' to its client and handles it in {handler}; keep one.");
            }

            relayed.Add(relay.Type);
            // When a relayed message does reach the actor (the fast path was busy or closed), it is sent the same way.
            handlers[relay.Type] = static (consumer, message) => consumer.SendTextUtf8Async(message.PayloadJson);
        }

        return new HandlerTable(handlers, relayed);
    }

    private static Func<WebSocketConsumer, ChannelMessage, Task> Compile(Type owner, MethodInfo method, string type)
    {
        var parameters = method.GetParameters();
        var returnsTask = method.ReturnType == typeof(Task);
        if (parameters.Length != 1 || !(returnsTask || method.ReturnType == typeof(void)) || method.IsGenericMethodDefinition)
        {
            throw new InvalidOperationException(
                $"{owner.Name}.{method.Name} has [Handles(\"{type}\")] but must take one parameter (a ChannelMessage, or a type the message deserializes to) and return Task or void.");
        }

        var consumer = Expression.Parameter(typeof(WebSocketConsumer), "consumer");
        var message = Expression.Parameter(typeof(ChannelMessage), "message");
        var parameterType = parameters[0].ParameterType;
        Expression argument = parameterType == typeof(ChannelMessage)
            ? message
            : Expression.Call(message, s_deserialize.MakeGenericMethod(parameterType));
        Expression call = Expression.Call(Expression.Convert(consumer, owner), method, argument);
        if (!returnsTask)
        {
            call = Expression.Block(call, Expression.Constant(Task.CompletedTask));
        }

        return Expression.Lambda<Func<WebSocketConsumer, ChannelMessage, Task>>(call, consumer, message).Compile();
    }
}

namespace ActorChat.Consumers;

/// <summary>
/// The route pattern a consumer is served at, such as <c>/ws/chat/{room}/</c>, declared on the class like ASP.NET Core's
/// <c>[Route]</c>: <c>app.MapConsumer&lt;T&gt;()</c> maps it, and a test's <c>Communicator&lt;T&gt;(path)</c> takes route values
/// from the path with it, as endpoint routing would.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class ConsumerRouteAttribute(string pattern) : Attribute
{
    /// <summary>The route pattern.</summary>
    public string Pattern { get; } = pattern;
}

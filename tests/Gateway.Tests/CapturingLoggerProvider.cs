using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ActorChat.Gateway.Tests;

/// <summary>Collects log lines as "{Level} {Category}: {Message}" from <paramref name="minimum"/> up, for tests that assert on what was logged.</summary>
internal sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines, LogLevel minimum = LogLevel.Trace) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(lines, categoryName, minimum);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<string> lines, string category, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}"); // with its stack: a failure's message says where
            }
        }
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using AkkaLevel = Akka.Event.LogLevel;

namespace ActorChat.Consumers.Hosting;

/// <summary>Decides which log events Akka emits, so that Akka and ASP.NET Core are configured in one place.</summary>
public static class AkkaLogLevel
{
    /// <summary>The ILogger category prefix Akka's events are logged under.</summary>
    public const string Category = "Akka";

    /// <summary>
    /// <c>akka.loglevel</c> when the configuration sets it (<c>DEBUG</c>, <c>INFO</c>, <c>WARNING</c> or <c>ERROR</c>);
    /// otherwise the lowest level <paramref name="loggers"/> writes for the <c>Akka</c> category, so that
    /// <c>Logging:LogLevel:Akka = Debug</c> alone turns Akka's debug events on, and Akka does not build events the
    /// logging pipeline would drop.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>akka.loglevel</c> is not one of the four levels.</exception>
    public static AkkaLevel For(IConfiguration? configuration, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        var configured = configuration?["akka:loglevel"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured.Trim().ToUpperInvariant() switch
            {
                "DEBUG" => AkkaLevel.DebugLevel,
                "INFO" => AkkaLevel.InfoLevel,
                "WARNING" => AkkaLevel.WarningLevel,
                "ERROR" or "OFF" => AkkaLevel.ErrorLevel,
                _ => throw new InvalidOperationException($"Configuration key akka:loglevel = '{configured}' is invalid: expected DEBUG, INFO, WARNING or ERROR."),
            };
        }

        var logger = loggers.CreateLogger(Category);
        return logger.IsEnabled(LogLevel.Debug) ? AkkaLevel.DebugLevel
            : logger.IsEnabled(LogLevel.Information) ? AkkaLevel.InfoLevel
            : logger.IsEnabled(LogLevel.Warning) ? AkkaLevel.WarningLevel
            : AkkaLevel.ErrorLevel;
    }
}

using ActorChat.Consumers.Hosting;
using ActorChat.Gateway.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Akka.Actor;
using Microsoft.Extensions.Options;

namespace ActorChat.Gateway.Tests;

public sealed class NodeConfigurationTests
{
    private static string TempConf(string text)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("conf").FullName, "node.conf");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Hocon_is_overridden_by_environment_variables_which_are_overridden_by_the_command_line()
    {
        var conf = TempConf("""
            Bridge { connectTimeout = 3s, closeTimeout = 4s, keepAliveInterval = 5s }
            ChannelLayer.capacity = 42
            """);
        // Only keys no other test relies on are set in the environment, which is shared by the whole test process.
        Environment.SetEnvironmentVariable("Bridge__CloseTimeout", "6s");
        Environment.SetEnvironmentVariable("Bridge__KeepAliveInterval", "7s");
        try
        {
            await using var app = GatewayApp.Build([$"--config={conf}", "--urls=http://127.0.0.1:0", "--Bridge:KeepAliveInterval=9s"]);
            var bridge = app.Services.GetRequiredService<IOptions<BridgeOptions>>().Value;
            Assert.Equal(TimeSpan.FromSeconds(3), bridge.ConnectTimeout);   // hocon only
            Assert.Equal(TimeSpan.FromSeconds(6), bridge.CloseTimeout);     // environment over hocon
            Assert.Equal(TimeSpan.FromSeconds(9), bridge.KeepAliveInterval); // command line over both
            Assert.Equal(42, app.Services.GetRequiredService<IOptions<ChannelLayerOptions>>().Value.Capacity);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Bridge__CloseTimeout", null);
            Environment.SetEnvironmentVariable("Bridge__KeepAliveInterval", null);
        }
    }

    [Fact]
    public async Task Short_switches_set_the_node_section_and_sizes_and_durations_parse()
    {
        var conf = TempConf("Bridge.maxMessageSize = 2MiB\nBridge.shutdownTimeout = 1500ms\n");
        await using var app = GatewayApp.Build([$"--config={conf}", "--port", "0", "--node-id", "node-7", "--layer", "memory"]);
        var node = app.Services.GetRequiredService<NodeOptions>();
        Assert.Equal(0, node.Port);
        Assert.Equal("node-7", node.Id);
        var bridge = app.Services.GetRequiredService<IOptions<BridgeOptions>>().Value;
        Assert.Equal(2 * 1024 * 1024, bridge.MaxMessageSize);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), bridge.ShutdownTimeout);
    }

    [Fact]
    public void A_list_given_as_one_value_on_the_command_line_overrides_the_hocon_list()
    {
        var conf = TempConf("node { redis = [\"127.0.0.1:6379\", \"127.0.0.1:6380\"] }\n");
        using var fromFile = (IDisposable)GatewayApp.Build([$"--config={conf}", "--urls=http://127.0.0.1:0"]);
        Assert.Equal(["127.0.0.1:6379", "127.0.0.1:6380"], ((Microsoft.AspNetCore.Builder.WebApplication)fromFile).Services.GetRequiredService<NodeOptions>().Redis);
        using var overridden = (IDisposable)GatewayApp.Build([$"--config={conf}", "--urls=http://127.0.0.1:0", "--redis", "127.0.0.1:6390"]);
        Assert.Equal(["127.0.0.1:6390"], ((Microsoft.AspNetCore.Builder.WebApplication)overridden).Services.GetRequiredService<NodeOptions>().Redis);
    }

    [Theory]
    [InlineData("--Bridge:MaxMessageSize=lots", "Bridge:MaxMessageSize = 'lots' is invalid: expected a whole number or a size")]
    [InlineData("--Bridge:KeepAliveInterval=soon", "Bridge:KeepAliveInterval = 'soon' is invalid: expected a duration")]
    [InlineData("--Bridge:RequireOrigin=maybe", "Bridge:RequireOrigin = 'maybe' is invalid: expected true or false")]
    [InlineData("--Bridge:OutgoingQueueCapacity=0", "Bridge:OutgoingQueueCapacity is 0; it must be at least 1")]
    [InlineData("--Bridge:AllowedOrigins:0=not an origin", "Bridge:AllowedOrigins has 'not an origin'")]
    [InlineData("--ChannelLayer:Expiry=0s", "ChannelLayer:Expiry is 00:00:00; it must be positive")]
    [InlineData("--ChannelLayer:ChannelCapacity:worker.*=many", "ChannelLayer:ChannelCapacity:worker.* = 'many' is invalid")]
    public async Task A_bad_option_value_stops_startup_naming_key_value_and_form(string setting, string message)
    {
        // Options bind when the endpoints are mapped (in Build) or at the latest in StartAsync: either way, before serving.
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = GatewayApp.Build(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=None", setting]);
            await app.StartAsync();
        });
        Assert.Contains(message, ex.Message, StringComparison.OrdinalIgnoreCase); // keys are case-insensitive; the first source's spelling is quoted
    }

    [Theory]
    [InlineData("--port=99999", "node:port = 99999 is invalid: expected a port from 0 to 65535")]
    [InlineData("--layer=kafka", "node:layer = 'kafka' is invalid: expected memory, cluster or redis")]
    [InlineData("--seeds=nowhere", "node:seeds has 'nowhere': expected host:port")]
    [InlineData("--remote-port=70000", "node:remotePort = 70000 is invalid")]
    [InlineData("--node-id=bad id", "node:id = 'bad id' is invalid")]
    [InlineData("--port=eighty", "node:port = 'eighty' is invalid")]
    public void A_bad_node_value_stops_the_build_naming_the_key(string setting, string message)
    {
        var ex = Assert.Throws<InvalidConfigurationException>(() => GatewayApp.Build(["--urls=http://127.0.0.1:0", setting]));
        Assert.Contains(message, ex.Message);
    }

    [Theory]
    [InlineData("127.0.0.1:abc", "node:redis endpoint '127.0.0.1:abc' is invalid: expected host:port")]
    [InlineData("127.0.0.1:6379,nonsense=1", "node:redis = '127.0.0.1:6379,nonsense=1' is not a valid StackExchange.Redis configuration string: Keyword 'nonsense' is not supported")]
    [InlineData("password=secret", "node:redis = 'password=secret' names no Redis endpoint")]
    public void A_bad_redis_setting_stops_the_build_naming_the_key(string redis, string message)
    {
        var ex = Assert.Throws<InvalidConfigurationException>(() => GatewayApp.Build(["--urls=http://127.0.0.1:0", "--layer=redis", $"--redis={redis}"]));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void A_hocon_syntax_error_stops_the_build_with_file_line_and_what_akkas_parser_said()
    {
        var conf = TempConf("node {\n  port = 8000\n  host = @\n}\n");
        var ex = Assert.Throws<HoconException>(() => GatewayApp.Build([$"--config={conf}"]));
        Assert.StartsWith($"{conf}:3: Unknown token", ex.Message);
    }

    [Theory]
    [InlineData("node.url = http://example.org\n", "Could not parse an unquoted text value")]
    [InlineData("node.port = ${nope}\n", "Unresolved substitution: nope")]
    [InlineData("node.id = ${?ACTORCHAT_NODE_ID}\n", "node:id = ${} cannot be resolved")]
    [InlineData("node.redis = [\"a:1\",\nnode.port = 1\n", "did not finish")] // Akka's parser loops on this; the deadline reports it
    public void A_file_akkas_parser_refuses_or_cannot_finish_stops_the_build_naming_the_file(string text, string problem)
    {
        var conf = TempConf(text);
        var ex = Assert.Throws<HoconException>(() => GatewayApp.Build([$"--config={conf}"]));
        Assert.StartsWith($"{conf}", ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public async Task An_akka_key_in_the_file_reaches_the_actor_system_and_the_environment_and_command_line_override_it()
    {
        var conf = TempConf("""
            akka {
              actor.default-dispatcher.throughput = 7
              actor.ask-timeout = 4s
              scheduler.tick-duration = 20ms
              test.marker = from-file
            }
            """);
        // Only keys no other test relies on are set in the environment, which is shared by the whole test process.
        Environment.SetEnvironmentVariable("akka__actor__ask_timeout", "6s");
        Environment.SetEnvironmentVariable("AKKA__SCHEDULER__TICK_DURATION", "30ms");
        try
        {
            await using var app = GatewayApp.Build([$"--config={conf}", "--urls=http://127.0.0.1:0", "--akka:scheduler:tick-duration=40ms"]);
            var config = app.Services.GetRequiredService<ActorSystem>().Settings.Config;
            Assert.Equal(7, config.GetInt("akka.actor.default-dispatcher.throughput"));            // file only
            Assert.Equal("from-file", config.GetString("akka.test.marker"));
            Assert.Equal(TimeSpan.FromSeconds(6), config.GetTimeSpan("akka.actor.ask-timeout"));     // environment over file
            Assert.Equal(TimeSpan.FromMilliseconds(40), config.GetTimeSpan("akka.scheduler.tick-duration")); // command line over both
        }
        finally
        {
            Environment.SetEnvironmentVariable("akka__actor__ask_timeout", null);
            Environment.SetEnvironmentVariable("AKKA__SCHEDULER__TICK_DURATION", null);
        }
    }

    [Fact]
    public void A_bad_akka_loglevel_stops_the_build_naming_the_key()
    {
        var ex = Assert.Throws<InvalidConfigurationException>(() => GatewayApp.Build(["--urls=http://127.0.0.1:0", "--akka:loglevel=LOUD"]));
        Assert.Contains("akka:loglevel = 'LOUD' is invalid: expected DEBUG, INFO, WARNING or ERROR", ex.Message);
    }

    [Fact]
    public void The_provider_flattens_objects_lists_substitutions_and_includes_into_configuration_keys()
    {
        var path = TempConf("""
            include "base.conf"
            # a comment
            node { port = 2 }
            origins = ["https://a.example", "https://b.example"]
            host = example.org
            url = "http://"${host}
            unset = null
            "Microsoft.AspNetCore" = Warning
            """);
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(path)!, "base.conf"), "node { port = 1, host = base }\n");
        var provider = new HoconConfigurationProvider(path, optional: false);
        provider.Load();
        Assert.True(provider.TryGet("node:port", out var port) && port == "2");
        Assert.True(provider.TryGet("node:host", out var host) && host == "base");
        Assert.True(provider.TryGet("origins:1", out var origin) && origin == "https://b.example");
        Assert.True(provider.TryGet("url", out var url) && url == "http://example.org");
        Assert.True(provider.TryGet("unset", out var unset) && unset is null);
        Assert.True(provider.TryGet("Microsoft.AspNetCore", out var level) && level == "Warning");
    }

    [Fact]
    public void The_repository_hocon_conf_parses_with_akkas_parser_and_sets_every_section()
    {
        var provider = new HoconConfigurationProvider(RepoFiles.Find("hocon.conf"), optional: false);
        provider.Load();
        Assert.True(provider.TryGet("node:port", out var port) && port == "8000");
        Assert.True(provider.TryGet("node:layer", out var layer) && layer == "memory");
        Assert.True(provider.TryGet("ChannelLayer:capacity", out var capacity) && capacity == "100");
        Assert.True(provider.TryGet("Bridge:maxMessageSize", out var size) && size == "1MiB");
        Assert.True(provider.TryGet("Logging:LogLevel:Microsoft.AspNetCore", out var level) && level == "Warning");
        Assert.Equal(30, provider.Hocon.GetInt("akka.actor.default-dispatcher.throughput"));
    }

    [Theory]
    [InlineData("60s", 60_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("250", 250)]
    [InlineData("00:00:03", 3_000)]
    public void Durations_parse_with_hocon_units(string text, double milliseconds)
    {
        Assert.True(ConfigValues.TryParseDuration(text, out var value));
        Assert.Equal(milliseconds, value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("1MiB", 1_048_576)]
    [InlineData("64K", 65_536)]
    [InlineData("1MB", 1_000_000)]
    [InlineData("512", 512)]
    [InlineData("2GiB", null)]
    [InlineData("12 parsecs", null)]
    public void Sizes_parse_with_hocon_units_and_refuse_what_does_not_fit(string text, int? bytes)
    {
        Assert.Equal(bytes is not null, ConfigValues.TryParseSize(text, out var value));
        if (bytes is not null)
        {
            Assert.Equal(bytes, value);
        }
    }
}

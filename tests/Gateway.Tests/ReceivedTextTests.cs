using System.Text.Json;
using ActorChat.Consumers;
using ActorChat.Consumers.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace ActorChat.Gateway.Tests;

/// <summary>
/// A received text message travels to its consumer in an array rented from the shared pool, which goes back to the pool
/// once the message is decoded. What a consumer keeps must stay intact while later messages reuse those arrays, whether it
/// keeps what our decoder made or its own <c>DecodeJson</c> keeps the bytes themselves.
/// </summary>
public sealed class ReceivedTextTests
{
    /// <summary>Keeps every message it receives; on <c>{"end": true}</c> sends them all back, in one frame, as it holds them.</summary>
    private abstract class KeepingConsumer : JsonWebSocketConsumer
    {
        private readonly List<JsonElement> _kept = [];

        protected override Task OnReceiveJsonAsync(JsonElement content)
        {
            if (content.TryGetProperty("end", out _))
            {
                return SendAsync(string.Join("\n", _kept.Select(kept => kept.GetRawText())));
            }

            _kept.Add(content);
            return Task.CompletedTask;
        }
    }

    /// <summary>Keeps the elements of the default decoder, which own a copy of their bytes.</summary>
    private sealed class DefaultDecoderConsumer : KeepingConsumer;

    /// <summary>Decodes without copying: each element reads the received bytes themselves, for as long as it is kept.</summary>
    private sealed class ZeroCopyDecoderConsumer : KeepingConsumer
    {
        protected override JsonElement DecodeJson(ReadOnlyMemory<byte> utf8) => JsonDocument.Parse(utf8).RootElement;
    }

    [Theory]
    [InlineData("/default/")]
    [InlineData("/zero-copy/")]
    public async Task What_a_consumer_keeps_of_a_message_stays_intact_while_later_messages_arrive(string path)
    {
        var builder = WebApplication.CreateBuilder(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
        builder.Services.AddActorChat(builder.Configuration);
        await using var app = builder.Build();
        app.MapConsumer<DefaultDecoderConsumer>("/default/");
        app.MapConsumer<ZeroCopyDecoderConsumer>("/zero-copy/");
        await app.StartAsync();
        await using var client = await WsClient.ConnectAsync(new Uri("ws://" + new Uri(app.Urls.Single()).Authority + path));

        // Messages of one length, so each is rented from the same bucket of the pool a previous one went back to.
        var sent = Enumerable.Range(0, 200).Select(i => $"{{\"n\":\"{i:D4}{new string((char)('a' + i % 26), 60)}\"}}").ToList();
        foreach (var text in sent)
        {
            await client.SendTextAsync(text);
        }

        await client.SendTextAsync("{\"end\":true}");
        Assert.Equal(sent, (await client.ReceiveTextAsync()).Split('\n'));
    }
}

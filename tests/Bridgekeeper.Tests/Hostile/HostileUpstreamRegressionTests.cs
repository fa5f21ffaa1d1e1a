using System.Text;
using System.Text.Json.Nodes;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.AnthropicMessages;
using Bridgekeeper.Providers.OpenAIChat;
using Bridgekeeper.Providers.OpenAIResponses;
using Bridgekeeper.Streaming;

namespace Bridgekeeper.Tests.Hostile;

/// <summary>The smallest inputs of what <see cref="ObserverPropertyTests"/> found, one per fix, so each stays fixed.</summary>
public sealed class HostileUpstreamRegressionTests
{
    private static readonly RequestFacts Facts = new("model", true, "hi", null, ClientWantsUsage: true);

    private static LoopState NewLoop() => new(new HashSet<string> { "get_weather" });

    private static SseEvent Event(string? type, string data)
    {
        var raw = Encoding.UTF8.GetBytes((type is null ? "" : $"event: {type}\n") + $"data: {data}\n\n");
        return new SseEvent(raw, type, Encoding.UTF8.GetBytes(data));
    }

    private static string Text(IEnumerable<ReadOnlyMemory<byte>> frames) => string.Concat(frames.Select(frame => Encoding.UTF8.GetString(frame.Span)));

    [Fact]
    public void LoopWire_TryFindNumber_UndecodableNameFirst_NotFound() =>
        Assert.False(LoopWire.TryFindNumber("""{"\ud800":1,"index":2}"""u8, "index"u8, out _, out _, out _));

    [Fact]
    public void ResponsesEventFields_UndecodableItemId_KeepsWhatCameBefore()
    {
        var fields = ResponsesEventFields.Read("""{"sequence_number":3,"item_id":"\ud800"}"""u8, readItemId: true);

        Assert.Equal((true, 3L, (string?)null), (fields.Sequence.Found, fields.Sequence.Value, fields.ItemId));
    }

    [Fact]
    public void AnthropicObserver_NegativeTokenFigures_ReadAsAbsent()
    {
        var observer = new AnthropicMessagesObserver();

        observer.OnEvent(Event("message_start", """{"type":"message_start","message":{"id":"m","usage":{"input_tokens":12,"cache_read_input_tokens":-7,"output_tokens":1}}}"""));
        observer.OnEvent(Event("message_delta", """{"type":"message_delta","usage":{"input_tokens":-1,"output_tokens":-5}}"""));

        Assert.Equal(new TokenUsage(12, 1, 0, 0, 0), observer.Complete().Usage);
    }

    [Fact]
    public void AnthropicObserver_BodyWithNegativeTokenFigures_ReadAsAbsent()
    {
        var observer = new AnthropicMessagesObserver();

        observer.OnBody("""{"id":"m","usage":{"input_tokens":-3,"output_tokens":7,"cache_creation_input_tokens":-9223372036854775808}}"""u8);

        Assert.Equal(new TokenUsage(0, 7, 0, 0, 0), observer.Complete().Usage);
    }
}

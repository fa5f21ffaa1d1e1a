using Bridgekeeper.Streaming;

namespace Bridgekeeper.Providers.OpenAIChat;

/// <summary>
/// Watches one Chat Completions exchange. Every chunk is forwarded except the usage-only chunk the gateway forced
/// (<c>stream_options.include_usage</c>) when the client did not ask for it.
/// </summary>
internal sealed class OpenAIChatObserver(RequestFacts facts) : IExchangeObserver
{
    private readonly OpenAIChatAccumulator _seen = new();
    private bool _streamed;

    /// <summary>Whether the stream's closing <c>data: [DONE]</c> arrived.</summary>
    public bool DoneSeen { get; private set; }

    public Relay OnEvent(in SseEvent item)
    {
        _streamed = true;
        var data = item.Data.Span;
        if (data.IsEmpty)
            return Relay.Forward;                    // comments and blank frames
        if (data.SequenceEqual(Keys.Utf8.Done))
        {
            DoneSeen = true;
            return Relay.Forward;
        }

        _seen.ReadEvent(item.EventType, data);
        return _seen.LastChunk is ChunkKind.UsageOnly && !facts.ClientWantsUsage ? Relay.Suppress : Relay.Forward;
    }

    public void OnBody(ReadOnlySpan<byte> body) => _seen.ReadBody(body);

    public ExchangeSummary Complete() => _seen.Summarize() with { Finished = DoneSeen || !_streamed };
}

using System.Text;
using Bridgekeeper.Providers;
using Bridgekeeper.Streaming;
using Bridgekeeper.Tests.Streaming;

namespace Bridgekeeper.Tests.Providers;

/// <summary>Feeds a recorded stream through <see cref="SseEventReader"/> into an observer, as the gateway does.</summary>
internal static class ObserverHarness
{
    public static async Task<(ExchangeSummary Summary, string Forwarded)> RunAsync(
        IExchangeObserver observer, string stream, bool oneBytePerRead = false)
    {
        var bytes = Encoding.UTF8.GetBytes(stream);
        Stream source = oneBytePerRead ? ChunkedStream.OneByte(bytes) : ChunkedStream.Random(bytes, seed: 42, maxChunk: 97);
        var forwarded = new StringBuilder();
        await foreach (var item in SseEventReader.ReadAsync(source, TestContext.Current.CancellationToken))
        {
            if (observer.OnEvent(item) is Relay.Forward)
                forwarded.Append(Encoding.UTF8.GetString(item.Raw.Span));
        }
        return (observer.Complete(), forwarded.ToString());
    }

    /// <summary>Records compare their lists by reference, so compare a summary field by field.</summary>
    public static void AssertSummary(ExchangeSummary expected, ExchangeSummary actual)
    {
        Assert.Equal(expected.ResponseId, actual.ResponseId);
        Assert.Equal(expected.Usage, actual.Usage);
        Assert.Equal(expected.ToolCalls, actual.ToolCalls);
        Assert.Equal(expected.Thoughts, actual.Thoughts);
        Assert.Equal(expected.Error, actual.Error);
    }
}

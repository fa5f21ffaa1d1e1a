using System.Text;
using Bridgekeeper.Streaming;

namespace Bridgekeeper.Tests.Streaming;

/// <summary>A copied <see cref="SseEvent"/>, safe to keep after the reader moves on.</summary>
internal sealed record SseFrame(string Raw, string? EventType, string Data)
{
    public static SseFrame From(in SseEvent item) =>
        new(Encoding.UTF8.GetString(item.Raw.Span), item.EventType, Encoding.UTF8.GetString(item.Data.Span));

    public static async Task<List<SseFrame>> ReadAllAsync(Stream stream)
    {
        var frames = new List<SseFrame>();
        await foreach (var item in SseEventReader.ReadAsync(stream, TestContext.Current.CancellationToken))
            frames.Add(From(item));
        return frames;
    }
}

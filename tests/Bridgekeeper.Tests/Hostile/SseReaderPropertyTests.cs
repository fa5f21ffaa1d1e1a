using System.Text;
using Bridgekeeper.Streaming;
using Bridgekeeper.Tests.Streaming;
using CsCheck;

namespace Bridgekeeper.Tests.Hostile;

/// <summary>
/// <see cref="SseEventReader"/> on hostile streams, delivered in random read sizes. Its documented contract: it throws
/// only when canceled (or when the stream itself fails); concatenating every frame's <see cref="SseEvent.Raw"/>
/// reproduces the input exactly, an unterminated last frame included; <c>EventType</c> and <c>Data</c> follow the SSE
/// rules. A reference parser written here, on whole byte arrays, says what every frame must be.
/// </summary>
public sealed class SseReaderPropertyTests
{
    private const long Iterations = 2_000;

    private static readonly Gen<(byte[] Input, int[] Splits)> Cases = Gen.Select(HostileSse.Any, HostileSse.Splits);

    [Fact]
    public Task ReadAsync_HostileBytesAnySplits_RawConcatenatesToInput() =>
        Property.CheckAsync(Cases, async c =>
        {
            var frames = await ReadAsync(c.Input, c.Splits);

            Assert.Equal(c.Input, frames.SelectMany(f => f.Raw).ToArray());
            Assert.DoesNotContain(frames, f => f.Raw.Length == 0);
        }, Iterations, Print);

    [Fact]
    public Task ReadAsync_HostileBytesAnySplits_FramesMatchReferenceParser() =>
        Property.CheckAsync(Cases, async c =>
        {
            var frames = await ReadAsync(c.Input, c.Splits);

            Assert.Equal(Reference(c.Input), frames);
        }, Iterations, Print);

    [Fact]
    public Task ReadAsync_SameBytes_SplitsNeverChangeFrames() =>
        Property.CheckAsync(Gen.Select(HostileSse.Any, HostileSse.Splits, HostileSse.Splits), async c =>
        {
            var (input, first, second) = c;

            Assert.Equal(await ReadAsync(input, first), await ReadAsync(input, second));
        }, Iterations / 2, c => Print((c.Item1, c.Item2)) + " vs splits [" + string.Join(',', c.Item3) + "]");

    /// <summary>A copy of each frame (the reader's memory is reused), with its texts decoded as the reader decodes them.</summary>
    internal sealed record Frame(byte[] Raw, string? EventType, string Data)
    {
        public bool Equals(Frame? other) => other is not null && Raw.AsSpan().SequenceEqual(other.Raw) && EventType == other.EventType && Data == other.Data;

        public override int GetHashCode() => Raw.Length;

        public override string ToString() => $"Frame({Show(Raw)}, {EventType ?? "null"}, {Show(Encoding.UTF8.GetBytes(Data))})";
    }

    private static async Task<List<Frame>> ReadAsync(byte[] input, int[] splits)
    {
        var frames = new List<Frame>();
        await foreach (var item in SseEventReader.ReadAsync(new ChunkedStream(input, HostileSse.Cycle(splits)), TestContext.Current.CancellationToken))
            frames.Add(new Frame(item.Raw.ToArray(), item.EventType, Encoding.UTF8.GetString(item.Data.Span)));
        return frames;
    }

    /// <summary>
    /// The SSE rules on a whole input, written for clarity rather than speed: lines end in CRLF, LF or CR; a blank line
    /// ends a frame (and is part of its bytes); whatever follows the last blank line is one more frame. One leading BOM
    /// of the stream is ignored. In a line, the field name runs to the first colon (the whole line when there is none),
    /// and one space after the colon is dropped; empty names are comments. <c>data</c> lines join with LF; the last
    /// <c>event</c> names the frame; other fields are ignored.
    /// </summary>
    internal static List<Frame> Reference(byte[] input)
    {
        var frames = new List<Frame>();
        var (frameStart, at) = (0, 0);
        var data = new List<byte[]>();
        string? eventType = null;
        while (at < input.Length)
        {
            var end = Array.FindIndex(input, at, b => b is (byte)'\r' or (byte)'\n');
            var next = end < 0 ? input.Length : input[end] == '\r' && end + 1 < input.Length && input[end + 1] == '\n' ? end + 2 : end + 1;
            var line = input[at..(end < 0 ? input.Length : end)];
            if (at == 0 && line.AsSpan().StartsWith("\uFEFF"u8))
                line = line[3..];
            if (line.Length == 0 && end >= 0)
            {
                frames.Add(Emit(input[frameStart..next]));
                frameStart = next;
            }
            else
            {
                var colon = Array.IndexOf(line, (byte)':');
                var name = Encoding.UTF8.GetString(colon < 0 ? line : line[..colon]);
                var value = colon < 0 ? [] : line[(colon + 1)..];
                if (value.Length > 0 && value[0] == ' ')
                    value = value[1..];
                if (name == "data")
                    data.Add(value);
                else if (name == "event")
                    eventType = Encoding.UTF8.GetString(value);
            }
            at = next;
        }
        if (frameStart < input.Length)
            frames.Add(Emit(input[frameStart..]));
        return frames;

        Frame Emit(byte[] raw)
        {
            var joined = data.SelectMany((d, i) => i == 0 ? d : [(byte)'\n', .. d]).ToArray();
            var frame = new Frame(raw, eventType, Encoding.UTF8.GetString(joined));
            (data, eventType) = ([], null);
            return frame;
        }
    }

    private static string Print((byte[] Input, int[] Splits) c) => $"{Show(c.Input)} in reads of [{string.Join(',', c.Splits)}]";

    private static string Show(byte[] bytes) => HostileJson.Show(bytes).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

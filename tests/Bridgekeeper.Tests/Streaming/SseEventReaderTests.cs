using System.Text;
using Bridgekeeper.Streaming;

namespace Bridgekeeper.Tests.Streaming;

public sealed class SseEventReaderTests
{
    private const string Mixed =
        ": opening comment\n\n" +
        "event: message_start\ndata: {\"type\":\"message_start\"}\n\n" +
        "event:ping\r\ndata:{\"type\": \"ping\"}\r\n\r\n" +
        "data: first\rdata: second\r\r" +
        "id: 7\nretry: 100\n: note\ndata:  two spaces\n\n" +
        "data\n\n" +
        "\n" +
        "event: error\ndata: {\"type\":\"error\"}\n";

    private static readonly SseFrame[] MixedFrames =
    [
        new(": opening comment\n\n", null, ""),
        new("event: message_start\ndata: {\"type\":\"message_start\"}\n\n", "message_start", "{\"type\":\"message_start\"}"),
        new("event:ping\r\ndata:{\"type\": \"ping\"}\r\n\r\n", "ping", "{\"type\": \"ping\"}"),
        new("data: first\rdata: second\r\r", null, "first\nsecond"),
        new("id: 7\nretry: 100\n: note\ndata:  two spaces\n\n", null, " two spaces"),
        new("data\n\n", null, ""),
        new("\n", null, ""),
        new("event: error\ndata: {\"type\":\"error\"}\n", "error", "{\"type\":\"error\"}"),
    ];

    public static TheoryData<string> Chunkings => ["one-byte", "random-1", "random-2", "random-3", "whole"];

    [Theory]
    [MemberData(nameof(Chunkings))]
    public async Task ReadAsync_AnyChunking_YieldsIdenticalFrames(string chunking)
    {
        var frames = await SseFrame.ReadAllAsync(Chunk(Encoding.UTF8.GetBytes(Mixed), chunking));

        Assert.Equal(MixedFrames, frames);
    }

    [Theory]
    [MemberData(nameof(Chunkings))]
    public async Task ReadAsync_AnyChunking_RawConcatenatesToInput(string chunking)
    {
        const string text = Mixed + "\ndata: tail without any line end";

        var frames = await SseFrame.ReadAllAsync(Chunk(Encoding.UTF8.GetBytes(text), chunking));

        Assert.Equal(text, string.Concat(frames.Select(frame => frame.Raw)));
        Assert.Equal(MixedFrames.Length + 1, frames.Count);
        Assert.Equal(new SseFrame("data: tail without any line end", null, "tail without any line end"), frames[^1]);
    }

    [Theory]
    [InlineData("data: a\r\n\r\n", "data: a\r\n\r\n", "a")]
    [InlineData("data: a\r\r", "data: a\r\r", "a")]
    [InlineData("data: a\n\n", "data: a\n\n", "a")]
    [InlineData("data: a\r\n", "data: a\r\n", "a")]
    [InlineData("data: a\r", "data: a\r", "a")]
    [InlineData(": only a comment\r\n\r\n", ": only a comment\r\n\r\n", "")]
    [InlineData("data: x\ndata:\ndata: y\n\n", "data: x\ndata:\ndata: y\n\n", "x\n\ny")]
    public async Task ReadAsync_LineEnds_SplitOneByteAtATime(string input, string raw, string data)
    {
        var frames = await SseFrame.ReadAllAsync(ChunkedStream.OneByte(Encoding.UTF8.GetBytes(input)));

        Assert.Equal([new SseFrame(raw, null, data)], frames);
    }

    /// <summary>Regression: an empty first <c>data:</c> line lost its line break, and the joined data gained a NUL byte.</summary>
    [Theory]
    [InlineData("data:\ndata: x\n\n", "\nx")]
    [InlineData("data\ndata\ndata: y\n\n", "\n\ny")]
    [InlineData("data: \r\ndata: \r\n\r\n", "\n")]
    public async Task ReadAsync_EmptyFirstDataLine_KeepsItsLineBreak(string input, string data)
    {
        var frames = await SseFrame.ReadAllAsync(ChunkedStream.OneByte(Encoding.UTF8.GetBytes(input)));

        Assert.Equal([new SseFrame(input, null, data)], frames);
    }

    /// <summary>SSE: one BOM at the start of the stream is ignored. It stays in Raw (relayed as it came); a later one is not special.</summary>
    [Theory]
    [MemberData(nameof(Chunkings))]
    public async Task ReadAsync_LeadingByteOrderMark_IgnoredForFieldsKeptInRaw(string chunking)
    {
        const string input = "\uFEFFevent: message_start\ndata: {}\n\n\uFEFFdata: x\n\n";

        var frames = await SseFrame.ReadAllAsync(Chunk(Encoding.UTF8.GetBytes(input), chunking));

        Assert.Equal([new("\uFEFFevent: message_start\ndata: {}\n\n", "message_start", "{}"), new SseFrame("\uFEFFdata: x\n\n", null, "")], frames);
    }

    [Theory]
    [InlineData(new byte[] { 0xEF }, 1)]
    [InlineData(new byte[] { 0xEF, 0xBB }, 1)]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF }, 1)]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'\n' }, 1)]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'\n', (byte)'\n' }, 2)]
    public async Task ReadAsync_StreamOfLittleMoreThanByteOrderMark_RawIsInput(byte[] input, int count)
    {
        var frames = await SseFrame.ReadAllAsync(ChunkedStream.OneByte(input));

        Assert.Equal(count, frames.Count);
        Assert.Equal(Encoding.UTF8.GetString(input), string.Concat(frames.Select(frame => frame.Raw)));
        Assert.All(frames, frame => Assert.Equal(("", (string?)null), (frame.Data, frame.EventType)));
    }

    [Fact]
    public async Task ReadAsync_CrLfSplitAcrossReads_IsOneLineEnd()
    {
        var input = Encoding.UTF8.GetBytes("data: a\r\n\r\ndata: b\r\n\r\n");
        var sizes = new Queue<int>([8, 1, 1, 1, 100]);    // "data: a\r" | "\n" | "\r" | "\n" | rest

        var frames = await SseFrame.ReadAllAsync(new ChunkedStream(input, () => sizes.TryDequeue(out var size) ? size : int.MaxValue));

        Assert.Equal([new("data: a\r\n\r\n", null, "a"), new SseFrame("data: b\r\n\r\n", null, "b")], frames);
    }

    [Fact]
    public async Task ReadAsync_EmptyStream_YieldsNothing()
    {
        var frames = await SseFrame.ReadAllAsync(new MemoryStream());

        Assert.Empty(frames);
    }

    [Theory]
    [InlineData("random-1")]
    [InlineData("whole")]
    public async Task ReadAsync_LargeFrames_AreReassembled(string chunking)
    {
        var big = new string('x', 1_500_000);
        var input = Encoding.UTF8.GetBytes($"event: big\ndata: {big}\ndata: {big}\n\ndata: small\n\n");

        var frames = await SseFrame.ReadAllAsync(Chunk(input, chunking, maxChunk: 70_000));

        Assert.Equal(2, frames.Count);
        Assert.Equal("big", frames[0].EventType);
        Assert.Equal(big + "\n" + big, frames[0].Data);
        Assert.Equal(new SseFrame("data: small\n\n", null, "small"), frames[1]);
    }

    [Fact]
    public async Task ReadAsync_FrameInOneSegment_DataSharesRawMemory()
    {
        var input = Encoding.UTF8.GetBytes("data: {\"a\":1}\n\n");

        await foreach (var item in SseEventReader.ReadAsync(new MemoryStream(input), TestContext.Current.CancellationToken))
        {
            Assert.True(item.Raw.Span.Overlaps(item.Data.Span));
        }
    }

    [Fact]
    public async Task ReadAsync_Canceled_Throws()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in SseEventReader.ReadAsync(new MemoryStream("data: a\n\n"u8.ToArray()), cancellation.Token))
            {
            }
        });
    }

    private static ChunkedStream Chunk(byte[] input, string chunking, int maxChunk = 64) => chunking switch
    {
        "one-byte" => ChunkedStream.OneByte(input),
        "whole" => ChunkedStream.Whole(input),
        _ => ChunkedStream.Random(input, seed: int.Parse(chunking["random-".Length..]), maxChunk),
    };
}

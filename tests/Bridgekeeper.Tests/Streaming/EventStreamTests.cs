using System.Buffers.Binary;
using System.Text;
using Bridgekeeper.Streaming;
using Bridgekeeper.Tests.Hostile;
using CsCheck;

namespace Bridgekeeper.Tests.Streaming;

public sealed class EventStreamTests
{
    // The AWS SDK for JavaScript's event-stream test vectors (packages/eventstream-marshaller, TestVectors.fixture.ts);
    // their CRCs were also checked here with Python's zlib.crc32. The payload of the last three is {'foo':'bar'}.
    private static readonly byte[] EmptyMessage = [0, 0, 0, 16, 0, 0, 0, 0, 5, 194, 72, 235, 125, 152, 200, 255];

    private static readonly byte[] PayloadNoHeaders =
        [0, 0, 0, 29, 0, 0, 0, 0, 253, 82, 140, 90, 123, 39, 102, 111, 111, 39, 58, 39, 98, 97, 114, 39, 125, 195, 101, 57, 54];

    private static readonly byte[] PayloadOneStringHeader =
    [
        0, 0, 0, 61, 0, 0, 0, 32, 7, 253, 131, 150, 12, 99, 111, 110, 116, 101, 110, 116, 45, 116, 121, 112, 101, 7, 0, 16, 97, 112, 112,
        108, 105, 99, 97, 116, 105, 111, 110, 47, 106, 115, 111, 110, 123, 39, 102, 111, 111, 39, 58, 39, 98, 97, 114, 39, 125, 141, 156, 8, 177,
    ];

    private static readonly byte[] Int32Header =
    [
        0, 0, 0, 43, 0, 0, 0, 14, 52, 139, 236, 123, 8, 101, 118, 101, 110, 116, 45, 105, 100, 4, 0, 0, 160, 12, 123, 39, 102, 111, 111,
        39, 58, 39, 98, 97, 114, 39, 125, 211, 137, 2, 133,
    ];

    private static readonly byte[] FooBar = "{'foo':'bar'}"u8.ToArray();

    public static TheoryData<string, byte[]> FailureVectors => new()
    {
        // a header name's byte changed: the message CRC no longer matches
        { "corrupted_headers", Corrupt(PayloadOneStringHeader, 20, 43) },
        // the headers length changed: the prelude CRC no longer matches
        { "corrupted_header_len", Corrupt(PayloadOneStringHeader, 6, 1) },
        // the total length changed: the prelude CRC no longer matches
        { "corrupted_length", Corrupt(PayloadNoHeaders, 0, 1) },
        // a payload byte changed: the message CRC no longer matches
        { "corrupted_payload", Corrupt(PayloadNoHeaders, 24, 141) },
    };

    [Fact]
    public void Encode_OneStringHeader_IsTheAwsSdkVector()
    {
        var bytes = EventStream.Encode([new("content-type", "application/json")], FooBar);

        Assert.Equal(PayloadOneStringHeader, bytes);
    }

    [Fact]
    public void Encode_NoHeaders_IsTheAwsSdkVectors()
    {
        Assert.Equal(EmptyMessage, EventStream.Encode([], []));
        Assert.Equal(PayloadNoHeaders, EventStream.Encode([], FooBar));
    }

    [Fact]
    public void Encode_BedrockChunk_HasTheLayoutByHand()
    {
        var payload = """{"bytes":"e30=","p":"ab"}"""u8.ToArray();
        (string Name, string Value)[] headers = [(":event-type", "chunk"), (":content-type", "application/json"), (":message-type", "event")];

        var bytes = EventStream.Encode(headers.Select(h => KeyValuePair.Create(h.Name, h.Value)), payload);

        var expectedHeaders = new List<byte>();
        foreach (var (name, value) in headers)
        {
            expectedHeaders.Add((byte)name.Length);
            expectedHeaders.AddRange(Encoding.ASCII.GetBytes(name));
            expectedHeaders.Add(7);
            expectedHeaders.AddRange([0, (byte)value.Length]);
            expectedHeaders.AddRange(Encoding.ASCII.GetBytes(value));
        }
        Assert.Equal(Frame([.. expectedHeaders], payload), bytes);
    }

    [Fact]
    public async Task ReadAsync_AwsSdkVectors_DecodeInOrder()
    {
        byte[] stream = [.. EmptyMessage, .. PayloadNoHeaders, .. PayloadOneStringHeader, .. Int32Header];

        var messages = await ReadAllAsync(ChunkedStream.OneByte(stream));

        Assert.Equal(4, messages.Count);
        Assert.Empty(messages[0].Headers);
        Assert.Empty(messages[0].Payload.ToArray());
        Assert.Empty(messages[1].Headers);
        Assert.Equal(FooBar, messages[1].Payload.ToArray());
        Assert.Equal(new Dictionary<string, string> { ["content-type"] = "application/json" }, messages[2].Headers);
        Assert.Equal(FooBar, messages[2].Payload.ToArray());
        Assert.Equal(new Dictionary<string, string> { ["event-id"] = "40972" }, messages[3].Headers);
        Assert.Equal(FooBar, messages[3].Payload.ToArray());
    }

    [Theory]
    [MemberData(nameof(FailureVectors))]
    public async Task ReadAsync_AwsSdkFailureVectors_ThrowInvalidData(string name, byte[] bytes)
    {
        _ = name;
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(ChunkedStream.Whole(bytes)));
    }

    [Fact]
    public async Task ReadAsync_EveryHeaderType_KeptAsText()
    {
        var guid = Guid.Parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        var headers = new List<byte>();
        Header(headers, "t", 0, []);
        Header(headers, "f", 1, []);
        Header(headers, "b", 2, [0xFE]);
        Header(headers, "s", 3, [0x80, 0x00]);
        Header(headers, "i", 4, [0xFF, 0xFF, 0xFF, 0xFF]);
        Header(headers, "l", 5, [0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]);
        Header(headers, "a", 6, [0x00, 0x03, 1, 2, 3]);
        Header(headers, "u", 7, [0x00, 0x04, .. "h\u00e9!"u8]);
        Header(headers, "d", 8, BigEndian(1_700_000_000_123));
        Header(headers, "g", 9, guid.ToByteArray(bigEndian: true));

        var message = Assert.Single(await ReadAllAsync(ChunkedStream.OneByte(Frame([.. headers], [42]))));

        Assert.Equal(new Dictionary<string, string>
        {
            ["t"] = "true", ["f"] = "false", ["b"] = "-2", ["s"] = "-32768", ["i"] = "-1", ["l"] = "1099511627776",
            ["a"] = "AQID", ["u"] = "h\u00e9!", ["d"] = "2023-11-14T22:13:20.123Z", ["g"] = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        }, message.Headers);
        Assert.Equal([42], message.Payload.ToArray());
    }

    public static TheoryData<string, byte[]> BadHeaderBlocks => new()
    {
        { "unknown type 10", [1, (byte)'x', 10, 0] },
        { "string past the block", [1, (byte)'x', 7, 0, 9, (byte)'a'] },
        { "name past the block", [9, (byte)'x'] },
        { "type missing", [1, (byte)'x'] },
        { "empty name", [0, 0] },
        { "int64 cut short", [1, (byte)'x', 5, 0, 0, 0] },
        { "repeated name", [1, (byte)'x', 0, 1, (byte)'x', 1] },
        { "name not UTF-8", [1, 0xFF, 0] },
        { "value not UTF-8", [1, (byte)'x', 7, 0, 2, 0xC3, 0x28] },
    };

    [Theory]
    [MemberData(nameof(BadHeaderBlocks))]
    public async Task ReadAsync_BadHeaderBlockWithGoodCrcs_ThrowsInvalidData(string name, byte[] block)
    {
        _ = name;
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(ChunkedStream.Whole(Frame(block, [1, 2]))));
    }

    [Theory]
    [InlineData(15u, 0u)]                                   // shorter than a prelude and a CRC
    [InlineData(EventStream.MaxMessageBytes + 1u, 0u)]      // over the bound: refused before its bytes arrive
    [InlineData(20u, 5u)]                                   // headers longer than the message leaves them
    public async Task ReadAsync_LengthsThatDoNotAddUp_ThrowInvalidData(uint total, uint headersLength)
    {
        var prelude = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(prelude, total);
        BinaryPrimitives.WriteUInt32BigEndian(prelude.AsSpan(4), headersLength);
        BinaryPrimitives.WriteUInt32BigEndian(prelude.AsSpan(8), Crc32(prelude.AsSpan(0, 8)));

        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(ChunkedStream.Whole([.. prelude, .. new byte[16]])));
    }

    [Fact]
    public async Task ReadAsync_EveryTruncation_ThrowsInvalidDataButNotAtAMessageBoundary()
    {
        byte[] stream = [.. PayloadOneStringHeader, .. Int32Header];

        for (var length = 0; length <= stream.Length; length++)
        {
            var prefix = stream[..length];
            if (length is 0)
                Assert.Empty(await ReadAllAsync(ChunkedStream.Whole(prefix)));
            else if (length == PayloadOneStringHeader.Length || length == stream.Length)
                Assert.Equal(length == stream.Length ? 2 : 1, (await ReadAllAsync(ChunkedStream.OneByte(prefix))).Count);
            else
                await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(ChunkedStream.OneByte(prefix)));
        }
    }

    private static readonly Gen<string> Names = Gen.Frequency(
        (3, Gen.OneOf(":event-type", ":content-type", ":message-type", ":exception-type", "x")),
        (1, Gen.String[Gen.Char.AlphaNumeric, 1, 40]));

    private static readonly Gen<string> Values = Gen.Frequency(
        (3, Gen.OneOf("chunk", "application/json", "event", "exception", "")),
        (1, Gen.String[Gen.Char[' ', '~'], 0, 300]),
        (1, Gen.Const("h\u00e9llo \u4e16\u754c \ud83d\ude00")));

    private static readonly Gen<(Dictionary<string, string> Headers, byte[] Payload)> Messages = Gen.Select(
        Gen.Select(Names, Values).Array[0, 6].Select(pairs =>
        {
            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in pairs)
                headers.TryAdd(name, value);
            return headers;
        }),
        Gen.Byte.Array[0, 2_000]);

    [Fact]
    public void ReadAsync_RandomMessagesAnyReadSplit_RoundTrip()
    {
        var gen = Gen.Select(Messages.Array[0, 8], Gen.Int, Gen.Int[1, 100]);
        Property.Check(gen, t =>
        {
            var (messages, seed, maxChunk) = t;
            var stream = messages.SelectMany(m => EventStream.Encode(m.Headers, m.Payload)).ToArray();

            var read = ReadAllAsync(ChunkedStream.Random(stream, seed, maxChunk)).GetAwaiter().GetResult();

            Assert.Equal(messages.Length, read.Count);
            for (var i = 0; i < read.Count; i++)
            {
                Assert.Equal(messages[i].Headers, read[i].Headers);
                Assert.Equal(messages[i].Payload, read[i].Payload.ToArray());
            }
        }, iterations: 300, print: t => $"{t.Item1.Length} messages, seed {t.Item2}, chunks up to {t.Item3}");
    }

    [Fact]
    public void ReadAsync_AnyChangedByte_ThrowsInvalidData()
    {
        // CRC-32 detects every error within 32 bits, so any one changed byte is caught by one of the two CRCs.
        var gen = Gen.Select(Messages, Gen.Int[0, int.MaxValue], Gen.Byte[1, 255]);
        Property.Check(gen, t =>
        {
            var (message, at, flip) = t;
            var bytes = EventStream.Encode(message.Headers, message.Payload);
            bytes[at % bytes.Length] ^= flip;

            Assert.Throws<InvalidDataException>(() => ReadAllAsync(ChunkedStream.Random(bytes, at, 50)).GetAwaiter().GetResult());
        }, iterations: 500, print: t => $"{t.Item1.Headers.Count} headers, {t.Item1.Payload.Length} payload bytes, byte {t.Item2} ^ {t.Item3}");
    }

    [Fact]
    public async Task ReadAsync_MessagesOutliveTheReader()
    {
        var stream = Enumerable.Range(0, 50).SelectMany(i => EventStream.Encode([new("n", $"{i}")], new byte[i * 100])).ToArray();

        var messages = await ReadAllAsync(ChunkedStream.Random(stream, 7, 4096));

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"{i}"), messages.Select(m => m.Headers["n"]));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i * 100), messages.Select(m => m.Payload.Length));
    }

    [Fact]
    public void Encode_BadNamesOrValues_ThrowArgumentException()
    {
        Assert.Throws<ArgumentException>(() => EventStream.Encode([new("", "v")], []));
        Assert.Throws<ArgumentException>(() => EventStream.Encode([new(new string('n', 256), "v")], []));
        Assert.Throws<ArgumentException>(() => EventStream.Encode([new("n", new string('v', 32_768))], []));
        Assert.Throws<ArgumentException>(() => EventStream.Encode([], new byte[EventStream.MaxMessageBytes]));
    }

    private static async Task<List<EventStreamMessage>> ReadAllAsync(Stream stream)
    {
        var messages = new List<EventStreamMessage>();
        await foreach (var message in EventStream.ReadAsync(stream, TestContext.Current.CancellationToken))
            messages.Add(message);
        return messages;
    }

    /// <summary>A message around the given header block and payload, with both CRCs computed here (not by the codec).</summary>
    private static byte[] Frame(byte[] headers, byte[] payload)
    {
        var total = 16 + headers.Length + payload.Length;
        var bytes = new byte[total];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), (uint)headers.Length);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), Crc32(bytes.AsSpan(0, 8)));
        headers.CopyTo(bytes, 12);
        payload.CopyTo(bytes, 12 + headers.Length);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(total - 4), Crc32(bytes.AsSpan(0, total - 4)));
        return bytes;
    }

    private static void Header(List<byte> block, string name, byte type, byte[] value)
    {
        block.Add((byte)name.Length);
        block.AddRange(Encoding.ASCII.GetBytes(name));
        block.Add(type);
        block.AddRange(value);
    }

    private static byte[] BigEndian(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Corrupt(byte[] bytes, int at, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] = value;
        return copy;
    }

    /// <summary>zlib's CRC-32 (reflected polynomial 0xEDB88320), bit by bit: an independent check of the codec's.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}

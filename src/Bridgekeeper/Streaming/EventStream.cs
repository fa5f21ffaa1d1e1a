using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;

namespace Bridgekeeper.Streaming;

/// <summary>
/// One message of <c>application/vnd.amazon.eventstream</c>: its headers and its payload. String headers (type 7) are
/// kept as they are; the other header types are kept in a string form (see <see cref="EventStream"/>), so nothing a
/// message carries is dropped and the dictionary stays one of strings.
/// </summary>
internal sealed record EventStreamMessage(IReadOnlyDictionary<string, string> Headers, ReadOnlyMemory<byte> Payload);

/// <summary>
/// The AWS event-stream framing (Bedrock's <c>invoke-with-response-stream</c>, Transcribe, S3 Select): each message is
/// <c>[u32 total length][u32 headers length][u32 CRC-32 of those 8 bytes][headers][payload][u32 CRC-32 of everything
/// before it]</c>, big-endian, CRC-32 as zlib computes it. A header is <c>[u8 name length][name][u8 type][value]</c>.
/// Encoding writes only string headers (type 7: <c>[u16 length][UTF-8]</c>). Reading accepts every type and keeps
/// the others as text: <c>true</c>/<c>false</c> (types 0, 1), decimal integers (2 byte, 3 int16, 4 int32, 5 int64),
/// base64 (6 byte array), ISO-8601 UTC with milliseconds (8 timestamp, milliseconds since the epoch), the
/// <c>D</c> form of a GUID (9 uuid, bytes in network order).
/// </summary>
internal static class EventStream
{
    /// <summary>The largest message read or written (total length), as the AWS SDKs bound it.</summary>
    public const int MaxMessageBytes = 16 * 1024 * 1024;

    private const int PreludeBytes = 12;
    private const int CrcBytes = 4;
    private const int MinimumMessageBytes = PreludeBytes + CrcBytes;
    private const byte StringType = 7;
    private const int MaxHeaderValueBytes = short.MaxValue;
    private const int BufferSize = 16 * 1024;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Encodes one message with string headers, in the order given. A name must be 1 to 255 UTF-8 bytes and a value at
    /// most 32,767; the whole message at most <see cref="MaxMessageBytes"/> (otherwise <see cref="ArgumentException"/>).
    /// </summary>
    public static byte[] Encode(IEnumerable<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> payload)
    {
        var encoded = new List<(byte[] Name, byte[] Value)>();
        var headersLength = 0;
        foreach (var (name, value) in headers)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            var valueBytes = Encoding.UTF8.GetBytes(value);
            if (nameBytes.Length is 0 or > byte.MaxValue)
                throw new ArgumentException($"event-stream header name '{name}' must be 1 to 255 UTF-8 bytes", nameof(headers));
            if (valueBytes.Length > MaxHeaderValueBytes)
                throw new ArgumentException($"event-stream header '{name}' has a value over {MaxHeaderValueBytes} bytes", nameof(headers));
            encoded.Add((nameBytes, valueBytes));
            headersLength += 1 + nameBytes.Length + 1 + 2 + valueBytes.Length;
        }
        var total = (long)MinimumMessageBytes + headersLength + payload.Length;
        if (total > MaxMessageBytes)
            throw new ArgumentException($"an event-stream message of {total} bytes is over {MaxMessageBytes}", nameof(payload));

        var message = new byte[total];
        var span = message.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], (uint)headersLength);
        BinaryPrimitives.WriteUInt32BigEndian(span[8..], Crc32.HashToUInt32(span[..8]));
        var at = PreludeBytes;
        foreach (var (name, value) in encoded)
        {
            span[at++] = (byte)name.Length;
            name.CopyTo(span[at..]);
            at += name.Length;
            span[at++] = StringType;
            BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)value.Length);
            at += 2;
            value.CopyTo(span[at..]);
            at += value.Length;
        }
        payload.CopyTo(span[at..]);
        at += payload.Length;
        BinaryPrimitives.WriteUInt32BigEndian(span[at..], Crc32.HashToUInt32(span[..at]));
        return message;
    }

    /// <summary>
    /// Yields the messages of <paramref name="stream"/> in order, however its reads split them. Bad input always throws
    /// <see cref="InvalidDataException"/>: a prelude or message CRC that does not match, lengths that do not add up
    /// (headers longer than the message, headers that overrun their block or leave bytes in it), a total over
    /// <see cref="MaxMessageBytes"/>, an unknown header type, a repeated header name, a string that is not UTF-8, or the
    /// stream ending inside a message. Its end between messages ends the enumeration. Each message owns its memory.
    /// The stream is left open; the caller owns it.
    /// </summary>
    public static async IAsyncEnumerable<EventStreamMessage> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: BufferSize, leaveOpen: true));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                while (TryRead(ref buffer, out var message))
                    yield return message;
                if (result.IsCompleted || result.IsCanceled)
                {
                    if (!buffer.IsEmpty)
                        throw new InvalidDataException($"event stream ended inside a message ({buffer.Length} bytes of it)");
                    yield break;
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    /// <summary>Takes one whole message off the front of <paramref name="buffer"/>; false when it is not all there yet.</summary>
    private static bool TryRead(ref ReadOnlySequence<byte> buffer, out EventStreamMessage message)
    {
        message = null!;
        if (buffer.Length < PreludeBytes)
            return false;
        Span<byte> prelude = stackalloc byte[PreludeBytes];
        buffer.Slice(0, PreludeBytes).CopyTo(prelude);
        var total = BinaryPrimitives.ReadUInt32BigEndian(prelude);
        var headersLength = BinaryPrimitives.ReadUInt32BigEndian(prelude[4..]);
        if (BinaryPrimitives.ReadUInt32BigEndian(prelude[8..]) != Crc32.HashToUInt32(prelude[..8]))
            throw new InvalidDataException("event-stream prelude CRC does not match");
        if (total is < MinimumMessageBytes or > MaxMessageBytes)
            throw new InvalidDataException($"event-stream message length {total} is outside {MinimumMessageBytes}..{MaxMessageBytes}");
        if (headersLength > total - MinimumMessageBytes)
            throw new InvalidDataException($"event-stream headers length {headersLength} does not fit a message of {total} bytes");
        if (buffer.Length < total)
            return false;

        var bytes = buffer.Slice(0, total).ToArray();
        buffer = buffer.Slice(total);
        var body = (int)total - CrcBytes;
        if (BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(body)) != Crc32.HashToUInt32(bytes.AsSpan(0, body)))
            throw new InvalidDataException("event-stream message CRC does not match");
        var headersEnd = PreludeBytes + (int)headersLength;
        message = new EventStreamMessage(ReadHeaders(bytes.AsSpan(PreludeBytes, (int)headersLength)),
            bytes.AsMemory(headersEnd, body - headersEnd));
        return true;
    }

    private static Dictionary<string, string> ReadHeaders(ReadOnlySpan<byte> block)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var at = 0;
        while (at < block.Length)
        {
            var nameLength = block[at++];
            if (nameLength == 0)
                throw new InvalidDataException("event-stream header with an empty name");
            var name = Utf8(Take(block, ref at, nameLength));
            var type = Take(block, ref at, 1)[0];
            var value = type switch
            {
                0 => "true",
                1 => "false",
                2 => ((sbyte)Take(block, ref at, 1)[0]).ToString(CultureInfo.InvariantCulture),
                3 => BinaryPrimitives.ReadInt16BigEndian(Take(block, ref at, 2)).ToString(CultureInfo.InvariantCulture),
                4 => BinaryPrimitives.ReadInt32BigEndian(Take(block, ref at, 4)).ToString(CultureInfo.InvariantCulture),
                5 => BinaryPrimitives.ReadInt64BigEndian(Take(block, ref at, 8)).ToString(CultureInfo.InvariantCulture),
                6 => Convert.ToBase64String(Take(block, ref at, LengthPrefix(block, ref at))),
                StringType => Utf8(Take(block, ref at, LengthPrefix(block, ref at))),
                8 => Timestamp(BinaryPrimitives.ReadInt64BigEndian(Take(block, ref at, 8))),
                9 => new Guid(Take(block, ref at, 16), bigEndian: true).ToString("D"),
                _ => throw new InvalidDataException($"event-stream header '{name}' has unknown type {type}"),
            };
            if (!headers.TryAdd(name, value))
                throw new InvalidDataException($"event-stream header '{name}' appears twice");
        }
        return headers;
    }

    /// <summary>The next <paramref name="count"/> bytes of the header block; a header that overruns the block is bad data.</summary>
    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> block, ref int at, int count)
    {
        if (count > block.Length - at)
            throw new InvalidDataException("event-stream header runs past the headers length");
        var taken = block.Slice(at, count);
        at += count;
        return taken;
    }

    private static ushort LengthPrefix(ReadOnlySpan<byte> block, ref int at) => BinaryPrimitives.ReadUInt16BigEndian(Take(block, ref at, 2));

    private static string Utf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException exception)
        {
            throw new InvalidDataException("event-stream header text is not UTF-8", exception);
        }
    }

    private static string Timestamp(long milliseconds) =>
        milliseconds is < -62135596800000 or > 253402300799999
            ? throw new InvalidDataException($"event-stream timestamp {milliseconds} is out of range")
            : DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}

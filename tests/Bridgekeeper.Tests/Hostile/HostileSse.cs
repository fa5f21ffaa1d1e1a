using System.Text;
using CsCheck;

namespace Bridgekeeper.Tests.Hostile;

/// <summary>Generators of SSE byte streams: random bytes, and valid-ish event text with every line end and field kind.</summary>
internal static class HostileSse
{
    private static readonly string[] LineEnds = ["\n", "\r\n", "\r"];

    private static readonly string[] Payloads =
    [
        "", " ", "{\"type\":\"message_start\"}", "{\"type\": \"ping\"}", "[DONE]", "x", "  two spaces", "a:b:c", "é日本😀",
        "{\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}", "data: nested", ":colon first", "event: inside", "\t", "\uFEFFbom inside",
    ];

    private static readonly string[] Names = ["message_start", "ping", "error", "content_block_delta", "", " ", "response.completed", "日本"];

    private static readonly Gen<string> LineEnd = Gen.OneOf(LineEnds);

    private static readonly Gen<string> Payload = Gen.Frequency(
        (50, Gen.OneOf(Payloads)),
        (5, Gen.Char["abc{}\":, é\t"].Array[0, 30].Select(chars => new string(chars))),
        (1, Gen.Int[15_000, 70_000].Select(length => new string('x', length))));   // past the reader's 16 KiB buffer

    /// <summary>One line without its end: a field, a comment, or something else.</summary>
    private static readonly Gen<string> Line = Gen.Frequency(
        (10, Payload.Select(p => "data: " + p)),
        (3, Payload.Select(p => "data:" + p)),
        (1, Gen.Const("data")),
        (4, Gen.OneOf(Names).Select(n => "event: " + n)),
        (1, Gen.OneOf(Names).Select(n => "event:" + n)),
        (1, Gen.Const("event")),
        (1, Gen.OneOf("id: 7", "id:", "retry: 100", "retry: x", "DATA: upper", "Event: x", "foo: bar", "data : spaced", " data: lead")),
        (2, Payload.Select(p => ":" + p)),
        (1, Payload.Select(p => p.Replace(":", "", StringComparison.Ordinal))));

    /// <summary>A frame: some lines, each with its end, then (usually) a blank line.</summary>
    private static readonly Gen<string> Frame = Gen.Select(Gen.Select(Line, LineEnd).Array[0, 5], LineEnd, Gen.Int[0, 9],
        (lines, end, blank) => string.Concat(lines.Select(l => l.Item1 + l.Item2)) + (blank > 0 ? end : ""));

    /// <summary>Event text: frames, an optional BOM first, and sometimes a last frame cut anywhere.</summary>
    public static readonly Gen<byte[]> Text = Gen.Select(Frame.Array[0, 12], Gen.Int[0, 9], Gen.Frequency((3, Gen.Const(-1)), (1, Gen.Int[0, 1_000_000])),
        (frames, bom, cut) =>
        {
            var bytes = Encoding.UTF8.GetBytes((bom == 0 ? "\uFEFF" : "") + string.Concat(frames));
            return cut >= 0 ? bytes[..(cut % (bytes.Length + 1))] : bytes;
        });

    /// <summary>Random bytes, mostly the ones SSE cares about (CR, LF, colon, space, field names).</summary>
    public static readonly Gen<byte[]> Bytes = Gen.Frequency(
        (1, Gen.Byte.Array[0, 300]),
        (3, Gen.OneOf<byte[]>([(byte)'\r'], [(byte)'\n'], [(byte)':'], [(byte)' '], "data"u8.ToArray(), "event"u8.ToArray(), [0xEF, 0xBB, 0xBF], [0xFF], [(byte)'x'])
            .Array[0, 200].Select(pieces => pieces.SelectMany(p => p).ToArray())));

    public static readonly Gen<byte[]> Any = Gen.Frequency((3, Text), (1, Bytes));

    /// <summary>Read sizes, used in turn (and then again from the start): how the bytes arrive.</summary>
    public static readonly Gen<int[]> Splits = Gen.Frequency(
        (4, Gen.Int[1, 64].Array[1, 20]),
        (1, Gen.Int[1, 70_000].Array[1, 5]),
        (1, Gen.Const<int[]>([1])),
        (1, Gen.Const<int[]>([int.MaxValue])));

    public static Func<int> Cycle(int[] sizes)
    {
        var next = 0;
        return () => sizes[next++ % sizes.Length];
    }
}

using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Bridgekeeper.Providers;

/// <summary>The first part of a text that may be too large to hold whole, and the whole text's size.</summary>
/// <param name="Text">The text, or its first part cut on a character boundary.</param>
/// <param name="TotalBytes">The UTF-8 size of the whole text.</param>
internal readonly record struct BoundedText(string Text, long TotalBytes)
{
    /// <summary>True when <see cref="Text"/> is only the first part.</summary>
    public bool Truncated => TotalBytes > Encoding.UTF8.GetByteCount(Text);

    /// <summary>A whole text (nothing cut).</summary>
    public static implicit operator BoundedText(string text) => new(text, Encoding.UTF8.GetByteCount(text));

    /// <summary>
    /// From a JSON string token exactly as it appears in the document (quotes and escapes included, valid UTF-8): only
    /// the kept part is ever unescaped into a string; the whole size is counted from the raw bytes without copying them.
    /// </summary>
    public static BoundedText Of(ReadOnlySpan<byte> rawToken, int maxUtf8Bytes)
    {
        var raw = rawToken[1..^1];
        long total = 0, shown = 0;
        var cut = -1;                                        // where the kept part ends in the raw bytes, once known
        for (var at = 0; at < raw.Length;)
        {
            var next = raw[at..].IndexOf((byte)'\\');
            var plainEnd = next < 0 ? raw.Length : at + next;   // [at, plainEnd) is plain UTF-8: one byte decodes to one byte
            var run = plainEnd - at;
            if (cut < 0 && shown + run > maxUtf8Bytes)
            {
                cut = at + (int)(maxUtf8Bytes - shown);
                while (cut > at && (raw[cut] & 0xC0) == 0x80)
                    cut--;                                   // never split a UTF-8 sequence
            }
            else if (cut < 0)
                shown += run;
            total += run;
            if (plainEnd == raw.Length)
                break;
            var (length, decoded) = Escape(raw[plainEnd..]);
            if (cut < 0 && shown + decoded > maxUtf8Bytes)
                cut = plainEnd;                              // never split an escape
            else if (cut < 0)
                shown += decoded;
            total += decoded;
            at = plainEnd + length;
        }
        return new(Unescape(raw[..(cut < 0 ? raw.Length : cut)]), total);
    }

    /// <summary>The raw length of the escape at the start of <paramref name="escape"/> and the UTF-8 length it decodes to.</summary>
    private static (int Length, int Decoded) Escape(ReadOnlySpan<byte> escape)
    {
        if (escape.Length < 6 || escape[1] != (byte)'u')
            return (2, 1);
        if (!Utf8Parser.TryParse(escape.Slice(2, 4), out ushort unit, out _, 'X'))
            return (6, 1);
        if (char.IsHighSurrogate((char)unit) && escape.Length >= 12 && escape[6] == (byte)'\\' && escape[7] == (byte)'u')
            return (12, 4);
        return (6, unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3);
    }

    private static string Unescape(ReadOnlySpan<byte> content)
    {
        if (content.IndexOf((byte)'\\') < 0)
            return Encoding.UTF8.GetString(content);
        var quoted = new byte[content.Length + 2];
        quoted[0] = quoted[^1] = (byte)'"';
        content.CopyTo(quoted.AsSpan(1));
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        return reader.GetString() ?? "";
    }
}

using System.Globalization;
using System.Text;

namespace Bridgekeeper.Storage;

/// <summary>
/// Text bound for a record or for the model: at most a number of UTF-8 bytes, cut on a character boundary, with a
/// marker saying that it was cut and how big it was. Shared by everything that stores or forwards text it did not write:
/// prompts, tool inputs, tool results and errors, thoughts.
/// </summary>
internal static class RecordText
{
    /// <summary>The smallest bound <see cref="Truncate"/> takes: room for the marker and some text.</summary>
    public const int MinBytes = 128;

    /// <summary>
    /// <paramref name="text"/> as it can be stored: lone UTF-16 surrogates become U+FFFD (PostgreSQL cannot encode them,
    /// and one such row would fail its whole audit batch on every retry), and text longer than
    /// <paramref name="maxUtf8Bytes"/> in UTF-8 is cut on a character boundary (never inside a surrogate pair) and ends
    /// with <c>\n[truncated by Bridgekeeper: T bytes in all, S shown]</c>. The result, marker included, is at most
    /// <paramref name="maxUtf8Bytes"/> bytes. Text that fits and holds no lone surrogate is returned as is (same instance).
    /// </summary>
    /// <param name="wholeBytes">
    /// When <paramref name="text"/> is already only the first part of a larger text (a prompt read bounded), that text's
    /// UTF-8 size: the marker then says so even if the part fits.
    /// </param>
    public static string Truncate(string text, int maxUtf8Bytes, long wholeBytes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxUtf8Bytes, MinBytes);
        text = WithoutLoneSurrogates(text);
        if (text.Length <= maxUtf8Bytes / 3 && wholeBytes <= text.Length)
            return text;                                                  // a UTF-16 unit is at most 3 UTF-8 bytes
        var own = Encoding.UTF8.GetByteCount(text);
        var total = Math.Max(own, wholeBytes);
        if (total <= maxUtf8Bytes)
            return text;
        var budget = maxUtf8Bytes - Marker(total, maxUtf8Bytes).Length;  // "shown" never has more digits than the bound
        var (chars, shown) = (0, 0);
        foreach (var rune in text.EnumerateRunes())
        {
            if (shown + rune.Utf8SequenceLength > budget)
                break;
            shown += rune.Utf8SequenceLength;
            chars += rune.Utf16SequenceLength;
        }
        return string.Concat(text.AsSpan(0, chars), Marker(total, shown));
    }

    /// <summary>The text with every unpaired UTF-16 surrogate replaced by U+FFFD; the same instance when there is none.</summary>
    public static string WithoutLoneSurrogates(string text)
    {
        char[]? copy = null;
        var span = text.AsSpan();
        for (var i = span.IndexOfAnyInRange('\uD800', '\uDFFF'); i >= 0 && i < span.Length;)
        {
            if (char.IsHighSurrogate(span[i]) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
                i += 2;
            else
                (copy ??= text.ToCharArray())[i++] = '\uFFFD';
            var next = i < span.Length ? span[i..].IndexOfAnyInRange('\uD800', '\uDFFF') : -1;
            i = next < 0 ? -1 : i + next;
        }
        return copy is null ? text : new string(copy);
    }

    private static string Marker(long total, int shown) =>
        string.Create(CultureInfo.InvariantCulture, $"\n[truncated by Bridgekeeper: {total} bytes in all, {shown} shown]");
}

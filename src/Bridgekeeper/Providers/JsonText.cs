using System.Text.Unicode;

namespace Bridgekeeper.Providers;

/// <summary>
/// Whether JSON bytes are text that every later read can decode: valid UTF-8 (RFC 8259 §8.1) and no lone UTF-16
/// surrogate escape such as <c>"\ud800"</c>, which decodes to no character. Checked before parsing, because
/// System.Text.Json accepts both and fails only later, when such a string is read or written. One check for the
/// client's requests (<c>Interception/RequestJson</c>) and the upstream's data (<see cref="UpstreamJson"/>).
/// </summary>
internal static class JsonText
{
    public static bool IsText(ReadOnlySpan<byte> json) => Utf8.IsValid(json) && !HasLoneSurrogate(json);

    /// <summary>
    /// Whether JSON text holds a <c>\uD800</c>-<c>\uDFFF</c> escape that is not half of a high-low pair (checked before
    /// parsing, because the parser's duplicate-key check already decodes property names). Jumps from one <c>\u</c> to
    /// the next (vectorized search), so it costs little on bodies without escapes; text that is not JSON is left to the parser.
    /// </summary>
    public static bool HasLoneSurrogate(ReadOnlySpan<byte> json)
    {
        for (var at = 0; ;)
        {
            var hit = json[at..].IndexOf("\\u"u8);
            if (hit < 0)
                return false;
            var i = at + hit;
            var slashes = 1;
            for (var j = i - 1; j >= 0 && json[j] == (byte)'\\'; j--)
                slashes++;
            if (slashes % 2 == 0 || i + 6 > json.Length)
            {
                at = i + 2;                               // "\\u": an escaped backslash, then the letter u
                continue;
            }
            var unit = Hex(json.Slice(i + 2, 4));
            if (unit is >= 0xDC00 and <= 0xDFFF)
                return true;                              // a low half with no high half before it
            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                if (i + 12 > json.Length || json[i + 6] != (byte)'\\' || json[i + 7] != (byte)'u' || Hex(json.Slice(i + 8, 4)) is < 0xDC00 or > 0xDFFF)
                    return true;                          // a high half not followed by a low half
                at = i + 12;
                continue;
            }
            at = i + 6;
        }
    }

    private static int Hex(ReadOnlySpan<byte> digits)
    {
        var value = 0;
        foreach (var digit in digits)
        {
            var nibble = digit switch
            {
                >= (byte)'0' and <= (byte)'9' => digit - '0',
                >= (byte)'a' and <= (byte)'f' => digit - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => digit - 'A' + 10,
                _ => -1,
            };
            if (nibble < 0)
                return -1;
            value = value * 16 + nibble;
        }
        return value;
    }
}

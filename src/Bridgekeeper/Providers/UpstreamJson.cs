using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Bridgekeeper.Providers;

/// <summary>
/// Parses upstream JSON (an event's data, a body) into a DOM that the tool-loop turns read, edit and write back. The
/// DOM fails late on some input that parses: a duplicate key throws on the object's first access, and a string of
/// invalid UTF-8 or with a lone surrogate escape (<c>"\ud800"</c>) throws when it is read or written. Upstream bytes
/// are not ours to judge, so all of that gives null here, as malformed JSON does, and the caller relays the bytes as
/// they came.
/// </summary>
internal static class UpstreamJson
{
    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false };

    public static JsonNode? Parse(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json) || HasLoneSurrogateEscape(json))
            return null;
        try
        {
            return JsonNode.Parse(json, documentOptions: Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Whether a <c>\u</c> escape names a surrogate that is not half of a high-low pair.</summary>
    private static bool HasLoneSurrogateEscape(ReadOnlySpan<byte> json)
    {
        for (var at = json.IndexOf((byte)'\\'); at >= 0 && at < json.Length;)
        {
            if (EscapedUnit(json, at) is not { } unit)
            {
                at += 2;                                   // \n, \", \\ ...: the next byte is the escaped one
            }
            else if (!char.IsSurrogate(unit))
            {
                at += 6;
            }
            else if (char.IsHighSurrogate(unit) && EscapedUnit(json, at + 6) is { } low && char.IsLowSurrogate(low))
            {
                at += 12;
            }
            else
            {
                return true;
            }
            var next = at < json.Length ? json[at..].IndexOf((byte)'\\') : -1;
            at = next < 0 ? -1 : at + next;
        }
        return false;
    }

    private static char? EscapedUnit(ReadOnlySpan<byte> json, int at) =>
        at + 6 <= json.Length && json[at] == '\\' && json[at + 1] == 'u' && Utf8Hex(json.Slice(at + 2, 4)) is { } unit ? (char)unit : null;

    private static int? Utf8Hex(ReadOnlySpan<byte> digits)
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
                return null;
            value = value * 16 + nibble;
        }
        return value;
    }
}

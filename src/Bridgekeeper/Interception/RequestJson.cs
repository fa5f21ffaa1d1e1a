using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Bridgekeeper.Interception;

/// <summary>
/// Turns a request body into the <see cref="JsonObject"/> the dialects read and edit, refusing what is not text: the
/// body must be UTF-8 JSON (RFC 8259 §8.1) and hold no lone UTF-16 surrogate escape such as <c>"\ud800"</c>, which
/// decodes to no character, so no string read from it can fail later. The object reads the body's own bytes lazily
/// (no copy of the document is made), so the body must not change while the object is in use.
/// </summary>
internal static class RequestJson
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 256, AllowDuplicateProperties = false };
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };

    /// <returns>The object, or null with the reason (for a 400) in <paramref name="problem"/>.</returns>
    public static JsonObject? Parse(byte[] body, out string? problem)
    {
        problem = null;
        if (!Utf8.IsValid(body))
        {
            problem = "The request body is not valid UTF-8.";
            return null;
        }
        if (HasLoneSurrogate(body))
        {
            problem = "The request body holds a lone UTF-16 surrogate escape (such as \\ud800), which is not text.";
            return null;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException)
        {
            problem = "The request body is not a valid JSON object.";
            return null;
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            problem = "The request body is not a valid JSON object.";
            return null;
        }
        return JsonObject.Create(document.RootElement, NodeOptions);
    }

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

using System.Text.Json;
using System.Text.Json.Nodes;

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
        if (!JsonText.IsText(json))
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
}

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Bridgekeeper.Providers;

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
        if (JsonText.HasLoneSurrogate(body))
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
}

using System.Text.Json;
using System.Text.Unicode;
using Bridgekeeper.Providers;

namespace Bridgekeeper.Interception;

/// <summary>
/// Turns a request body into the <see cref="RequestDocument"/> the dialects read, refusing what is not text or not a
/// JSON object: the body must be UTF-8 JSON (RFC 8259 §8.1) and hold no lone UTF-16 surrogate escape such as
/// <c>"\ud800"</c>, which decodes to no character, so no string read from it can fail later; and no object in it may
/// have a property twice. One forward-only pass checks the JSON and finds the facts; no DOM is built here.
/// </summary>
internal static class RequestJson
{
    /// <returns>The document, or null with the reason (for a 400) in <paramref name="problem"/>.</returns>
    public static RequestDocument? Parse(byte[] body, out string? problem)
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
        RequestDocument? document;
        try
        {
            document = RequestDocument.Read(body);
        }
        catch (JsonException)
        {
            document = null;
        }
        if (document is null)
            problem = "The request body is not a valid JSON object.";
        return document;
    }
}

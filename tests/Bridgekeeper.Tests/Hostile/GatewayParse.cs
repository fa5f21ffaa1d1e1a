using System.Text.Json;
using System.Text.Unicode;
using Bridgekeeper.Interception;
using Bridgekeeper.Providers;

namespace Bridgekeeper.Tests.Hostile;

/// <summary>The request parse step exactly as the endpoint runs it (<see cref="RequestJson.Parse"/>): null is a refusal (400).</summary>
internal static class GatewayParse
{
    public static RequestDocument? Parse(byte[] body) => RequestJson.Parse(body, out _);

    /// <summary>
    /// The DOM parse step the forward-only pass replaced: text checks, then <see cref="JsonDocument"/> with duplicate
    /// properties refused, and a root object. The pass must refuse exactly what this refuses.
    /// </summary>
    public static bool DomAccepts(byte[] body)
    {
        if (!Utf8.IsValid(body) || JsonText.HasLoneSurrogate(body))
            return false;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 256, AllowDuplicateProperties = false });
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

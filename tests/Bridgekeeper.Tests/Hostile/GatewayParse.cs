using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bridgekeeper.Tests.Hostile;

/// <summary>
/// The gateway's parse step for a request body, as the hostile-input properties call it: the bytes either become a
/// <see cref="JsonObject"/> for the dialect to read, or are refused (null: the endpoint answers 400).
/// </summary>
internal static class GatewayParse
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = HostileJson.ParserMaxDepth, AllowDuplicateProperties = false };

    /// <summary>
    /// THE ONE PLACE TO CHANGE when the endpoint gets its validating parser (refusing invalid UTF-8 and lone surrogate
    /// escapes): call it here instead, e.g. <c>return RequestJson.TryParse(body);</c>. Until then this is a copy of
    /// <c>InterceptionEndpoint.Parse</c> (JSON errors refuse; anything else it throws is a bug the properties report).
    /// </summary>
    public static JsonObject? Parse(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body, NodeOptions, DocumentOptions) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

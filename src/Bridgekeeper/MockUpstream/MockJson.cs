using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bridgekeeper.MockUpstream;

/// <summary>Writes JSON the way the real APIs do: compact, with <c>"</c> and non-ASCII text left readable.</summary>
internal static class MockJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] ToBytes(JsonNode node)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            node.WriteTo(writer);
        return buffer.WrittenSpan.ToArray();
    }

    public static string ToText(JsonNode node) => System.Text.Encoding.UTF8.GetString(ToBytes(node));

    /// <summary>The body as a JSON object, or null when it is empty, malformed or not an object.</summary>
    public static JsonObject? ParseObject(byte[] body)
    {
        try
        {
            return body.Length == 0 ? null : JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string? String(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static bool Bool(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;
}

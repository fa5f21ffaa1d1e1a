using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bridgekeeper.Providers.AnthropicMessages;

/// <summary>Rebuilds an assistant message's content blocks from a turn's streamed <c>content_block_*</c> events.</summary>
internal static class AnthropicTurnContent
{
    public static JsonArray Rebuild(IEnumerable<byte[]> events)
    {
        var blocks = new SortedDictionary<long, JsonObject>();
        var partialJson = new Dictionary<long, StringBuilder>();
        foreach (var data in events)
        {
            if (UpstreamJson.Parse(data) is not JsonObject e || e["index"] is not JsonValue at || !at.TryGetValue<long>(out var index))
                continue;
            switch (Json.String(e["type"]))
            {
                case "content_block_start" when e["content_block"] is JsonObject block:
                    blocks[index] = (JsonObject)block.DeepClone();
                    break;
                case "content_block_delta" when blocks.TryGetValue(index, out var block) && e["delta"] is JsonObject delta:
                    Apply(block, delta, partialJson, index);
                    break;
                case "content_block_stop" when blocks.TryGetValue(index, out var block) && partialJson.TryGetValue(index, out var json):
                    block["input"] = json.Length == 0 ? new JsonObject() : ParseOrText(json.ToString());
                    break;
            }
        }
        return [.. blocks.Values];
    }

    private static void Apply(JsonObject block, JsonObject delta, Dictionary<long, StringBuilder> partialJson, long index)
    {
        switch (Json.String(delta["type"]))
        {
            case "text_delta":
                block["text"] = Json.String(block["text"]) + Json.String(delta["text"]);
                break;
            case "thinking_delta":
                block["thinking"] = Json.String(block["thinking"]) + Json.String(delta["thinking"]);
                break;
            case "signature_delta":
                block["signature"] = Json.String(delta["signature"]);
                break;
            case "input_json_delta":
                if (!partialJson.TryGetValue(index, out var json))
                    partialJson[index] = json = new StringBuilder();
                json.Append(Json.String(delta["partial_json"]));
                break;
            case "citations_delta" when delta["citation"] is { } citation:
                if (block["citations"] is not JsonArray citations)
                    block["citations"] = citations = [];
                citations.Add(citation.DeepClone());
                break;
        }
    }

    /// <summary>The streamed input as JSON; pieces that do not make a JSON value give an empty input.</summary>
    private static JsonNode ParseOrText(string json) => UpstreamJson.Parse(Encoding.UTF8.GetBytes(json)) ?? new JsonObject();
}

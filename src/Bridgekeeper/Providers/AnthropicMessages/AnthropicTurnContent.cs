using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using D = Bridgekeeper.Providers.AnthropicMessages.Keys.Deltas;
using E = Bridgekeeper.Providers.AnthropicMessages.Keys.Events;

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
            if (UpstreamJson.Parse(data) is not JsonObject e || e[Keys.Index] is not JsonValue at || !at.TryGetValue<long>(out var index))
                continue;
            switch (Json.String(e[Keys.Type]))
            {
                case E.ContentBlockStart when e[Keys.ContentBlock] is JsonObject block:
                    blocks[index] = (JsonObject)block.DeepClone();
                    break;
                case E.ContentBlockDelta when blocks.TryGetValue(index, out var block) && e[Keys.Delta] is JsonObject delta:
                    Apply(block, delta, partialJson, index);
                    break;
                case E.ContentBlockStop when blocks.TryGetValue(index, out var block) && partialJson.TryGetValue(index, out var json):
                    block[Keys.Input] = json.Length == 0 ? new JsonObject() : ParseOrText(json.ToString());
                    break;
            }
        }
        return [.. blocks.Values];
    }

    private static void Apply(JsonObject block, JsonObject delta, Dictionary<long, StringBuilder> partialJson, long index)
    {
        switch (Json.String(delta[Keys.Type]))
        {
            case D.Text:
                block[Keys.Text] = Json.String(block[Keys.Text]) + Json.String(delta[Keys.Text]);
                break;
            case D.Thinking:
                block[Keys.Thinking] = Json.String(block[Keys.Thinking]) + Json.String(delta[Keys.Thinking]);
                break;
            case D.Signature:
                block[Keys.Signature] = Json.String(delta[Keys.Signature]);
                break;
            case D.InputJson:
                if (!partialJson.TryGetValue(index, out var json))
                    partialJson[index] = json = new StringBuilder();
                json.Append(Json.String(delta[Keys.PartialJson]));
                break;
            case D.Citations when delta[Keys.Citation] is { } citation:
                if (block[Keys.Citations] is not JsonArray citations)
                    block[Keys.Citations] = citations = [];
                citations.Add(citation.DeepClone());
                break;
        }
    }

    /// <summary>The streamed input as JSON; pieces that do not make a JSON value give an empty input.</summary>
    private static JsonNode ParseOrText(string json) => UpstreamJson.Parse(Encoding.UTF8.GetBytes(json)) ?? new JsonObject();
}

using System.Text.Json.Nodes;
using K = Bridgekeeper.MockUpstream.MockWireKeys;

namespace Bridgekeeper.MockUpstream;

/// <summary>Reads what the mock needs from a completion request body.</summary>
internal static class MockConversation
{
    public const string ToolResultPrefix = "Tool said: ";

    /// <summary>
    /// The text of the tool result the conversation ends with, or null. OpenAI: the last message has role <c>tool</c>.
    /// Anthropic: the last message is a user message with <c>tool_result</c> blocks (several are joined with a newline).
    /// </summary>
    public static string? LastToolResult(MockProvider provider, JsonObject request)
    {
        if (request[K.Messages] is not JsonArray { Count: > 0 } messages || messages[^1] is not JsonObject last)
            return null;
        var role = MockJson.String(last[K.Role]);
        if (provider is MockProvider.OpenAI)
            return role == K.Tool ? TextOf(last[K.Content]) : null;
        if (role != K.User || last[K.Content] is not JsonArray blocks)
            return null;
        List<string> results = [];
        foreach (var block in blocks)
            if (block is JsonObject item && MockJson.String(item[K.Type]) == K.ToolResult)
                results.Add(TextOf(item[K.Content]));
        return results.Count == 0 ? null : string.Join('\n', results);
    }

    /// <summary>A string content, or the <c>text</c> parts of a content array joined.</summary>
    private static string TextOf(JsonNode? content)
    {
        if (MockJson.String(content) is { } text)
            return text;
        if (content is not JsonArray parts)
            return "";
        List<string> texts = [];
        foreach (var part in parts)
            if (part is JsonObject item && MockJson.String(item[K.Text]) is { } piece)
                texts.Add(piece);
        return string.Join('\n', texts);
    }
}

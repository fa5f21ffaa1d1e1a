using System.Text.Json.Nodes;
using K = Bridgekeeper.MockUpstream.MockWireKeys;

namespace Bridgekeeper.MockUpstream;

/// <summary>Reads what the mock needs from a completion request body.</summary>
internal static class MockConversation
{
    public const string ToolResultPrefix = "Tool said: ";

    /// <summary>
    /// The text of the tool result the conversation ends with, or null. Chat: the last message has role <c>tool</c>.
    /// Messages: the last message is a user message with <c>tool_result</c> blocks (several are joined with a newline).
    /// Responses: the last <c>input</c> item is a <c>function_call_output</c> or <c>custom_tool_call_output</c>.
    /// </summary>
    public static string? LastToolResult(MockApi api, JsonObject request)
    {
        if (api is MockApi.OpenAIResponses)
            return request[K.Input] is JsonArray { Count: > 0 } input && input[^1] is JsonObject item
                && MockJson.String(item[K.Type]) is K.FunctionCallOutput or K.CustomToolCallOutput
                ? TextOf(item[K.Output])
                : null;
        if (request[K.Messages] is not JsonArray { Count: > 0 } messages || messages[^1] is not JsonObject last)
            return null;
        var role = MockJson.String(last[K.Role]);
        if (api is MockApi.OpenAIChat)
            return role == K.Tool ? TextOf(last[K.Content]) : null;
        if (role != K.User || last[K.Content] is not JsonArray blocks)
            return null;
        List<string> results = [];
        foreach (var block in blocks)
            if (block is JsonObject item && MockJson.String(item[K.Type]) == K.ToolResult)
                results.Add(TextOf(item[K.Content]));
        return results.Count == 0 ? null : string.Join('\n', results);
    }

    /// <summary>
    /// The text of the last user prompt, where directives are read. Chat: the last user message (text parts joined).
    /// Messages: the last user message holding no <c>tool_result</c>, its last <c>text</c> block (Claude Code's earlier
    /// blocks are system reminders). Responses: a string <c>input</c>, or the last user message item's last <c>input_text</c>.
    /// </summary>
    public static string? LastUserText(MockApi api, JsonObject request)
    {
        if (api is MockApi.OpenAIResponses)
            return MockJson.String(request[K.Input]) ?? (request[K.Input] is JsonArray items ? LastUserContent(items, K.InputText) : null);
        if (request[K.Messages] is not JsonArray messages)
            return null;
        if (api is MockApi.OpenAIChat)
        {
            for (var i = messages.Count - 1; i >= 0; i--)
                if (messages[i] is JsonObject message && MockJson.String(message[K.Role]) == K.User)
                    return TextOf(message[K.Content]);
            return null;
        }
        return LastUserContent(messages, K.Text);
    }

    /// <summary>The content of the last user message without tool results: a string, or its last part of <paramref name="partType"/>.</summary>
    private static string? LastUserContent(JsonArray messages, string partType)
    {
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i] is not JsonObject message || MockJson.String(message[K.Role]) != K.User)
                continue;
            if (MockJson.String(message[K.Content]) is { } text)
                return text;
            if (message[K.Content] is not JsonArray parts || parts.Any(part => MockJson.String((part as JsonObject)?[K.Type]) == K.ToolResult))
                continue;
            for (var j = parts.Count - 1; j >= 0; j--)
                if (parts[j] is JsonObject part && MockJson.String(part[K.Type]) == partType && MockJson.String(part[K.Text]) is { } partText)
                    return partText;
            return null;
        }
        return null;
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

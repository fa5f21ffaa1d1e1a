using System.Text.Json.Nodes;
using K = Bridgekeeper.MockUpstream.MockWireKeys;

namespace Bridgekeeper.MockUpstream;

/// <summary>Reads what the mock needs from a completion request body.</summary>
internal static class MockConversation
{
    public const string ToolResultPrefix = "Tool said: ";

    /// <summary>Joins the results of several tool calls answered in one turn: <c>Tool said: r1 | r2</c>.</summary>
    public const string ToolResultSeparator = " | ";

    /// <summary>
    /// The texts of the tool results the conversation ends with, in order; empty when it does not end with any.
    /// Chat: the trailing <c>role: tool</c> messages. Messages: the <c>tool_result</c> blocks of the last message, a user
    /// message. Responses: the <c>function_call_output</c>/<c>custom_tool_call_output</c> items after the last turn's calls
    /// (the calls of a turn come before its outputs; an output before a call belongs to an earlier turn).
    /// </summary>
    public static List<string> TrailingToolResults(MockApi api, JsonObject request)
    {
        List<string> results = [];
        if (api is MockApi.OpenAIResponses)
        {
            if (request[K.Input] is not JsonArray items || items.Count == 0 || !IsOutput(items[^1]))
                return results;
            var seenCall = false;
            for (var i = items.Count - 1; i >= 0; i--)
            {
                if (IsOutput(items[i]) && !seenCall)
                    results.Add(TextOf(items[i]![K.Output]));
                else if (IsCall(items[i]))
                    seenCall = true;
                else
                    break;
            }
            results.Reverse();
            return results;
        }
        if (request[K.Messages] is not JsonArray { Count: > 0 } messages)
            return results;
        if (api is MockApi.OpenAIChat)
        {
            for (var i = messages.Count - 1; i >= 0 && messages[i] is JsonObject message && MockJson.String(message[K.Role]) == K.Tool; i--)
                results.Add(TextOf(message[K.Content]));
            results.Reverse();
            return results;
        }
        if (messages[^1] is JsonObject last && MockJson.String(last[K.Role]) == K.User && last[K.Content] is JsonArray blocks)
            foreach (var block in blocks)
                if (block is JsonObject item && MockJson.String(item[K.Type]) == K.ToolResult)
                    results.Add(TextOf(item[K.Content]));
        return results;
    }

    /// <summary>
    /// How many assistant turns with tool calls the conversation holds. Chat: assistant messages with <c>tool_calls</c>.
    /// Messages: assistant messages with a <c>tool_use</c> block. Responses: runs of <c>function_call</c>/<c>custom_tool_call</c>
    /// items; a tool output or a user message ends a run (assistant messages and reasoning do not).
    /// </summary>
    public static int ToolRounds(MockApi api, JsonObject request)
    {
        var rounds = 0;
        if (api is MockApi.OpenAIResponses)
        {
            if (request[K.Input] is not JsonArray items)
                return 0;
            var inTurn = false;
            foreach (var item in items)
            {
                if (IsCall(item))
                {
                    rounds += inTurn ? 0 : 1;
                    inTurn = true;
                }
                else if (IsOutput(item) || MockJson.String((item as JsonObject)?[K.Role]) == K.User)
                    inTurn = false;
            }
            return rounds;
        }
        if (request[K.Messages] is not JsonArray messages)
            return 0;
        foreach (var node in messages)
        {
            if (node is not JsonObject message || MockJson.String(message[K.Role]) != K.Assistant)
                continue;
            var calls = api is MockApi.OpenAIChat
                ? message[K.ToolCalls] is JsonArray { Count: > 0 }
                : message[K.Content] is JsonArray blocks && blocks.Any(block => MockJson.String((block as JsonObject)?[K.Type]) == K.ToolUse);
            rounds += calls ? 1 : 0;
        }
        return rounds;
    }

    /// <summary>Responses: whether a stored response's output holds a tool call (it was a tool-calling turn).</summary>
    public static bool HasToolCall(JsonNode? response) =>
        response?[K.Output] is JsonArray output && output.Any(IsCall);

    private static bool IsCall(JsonNode? item) =>
        MockJson.String((item as JsonObject)?[K.Type]) is K.FunctionCall or K.CustomToolCall;

    private static bool IsOutput(JsonNode? item) =>
        MockJson.String((item as JsonObject)?[K.Type]) is K.FunctionCallOutput or K.CustomToolCallOutput;

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

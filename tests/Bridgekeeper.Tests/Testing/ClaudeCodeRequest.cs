using System.Text;
using System.Text.Json.Nodes;

namespace Bridgekeeper.Tests.Testing;

/// <summary>
/// A real-size Anthropic Messages body in Claude Code's shape: system blocks with cache control, a tool list with
/// schemas, and 40 turns of user text, assistant text with a tool call, and tool results, about 150 KB in all.
/// </summary>
internal static class ClaudeCodeRequest
{
    public const string SessionId = "2b4bd6a3-7c3f-4f8e-9a51-1f0b8f0c2e77";
    public const string LastPrompt = "Now run the whole suite and tell me what still fails.";

    public static byte[] Body(bool stream = true, int turns = 40) => Encoding.UTF8.GetBytes(Json(stream, turns).ToJsonString());

    private static JsonObject Json(bool stream, int turns)
    {
        var messages = new JsonArray();
        for (var turn = 0; turn < turns; turn++)
        {
            messages.Add(new JsonObject
            {
                ["role"] = "user",
                ["content"] = turn == 0
                    ? new JsonArray(Text("<system-reminder>As you answer the user's questions, you can use the following context: " + Filler(1500) + "</system-reminder>"), Text("Please look at the failing tests."))
                    : new JsonArray(new JsonObject
                    {
                        ["type"] = "tool_result",
                        ["tool_use_id"] = $"toolu_{turn:D4}",
                        ["content"] = Filler(2200),
                    }),
            });
            messages.Add(new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = new JsonArray(Text($"Step {turn}: I will read the next file. " + Filler(200)), new JsonObject
                {
                    ["type"] = "tool_use",
                    ["id"] = $"toolu_{turn + 1:D4}",
                    ["name"] = "Read",
                    ["input"] = new JsonObject { ["file_path"] = $"/work/src/File{turn}.cs", ["limit"] = 400 },
                }),
            });
        }
        messages.Add(new JsonObject { ["role"] = "user", ["content"] = new JsonArray(Text("<system-reminder>Todo list is empty.</system-reminder>"), Text(LastPrompt)) });
        var tools = new JsonArray();
        foreach (var name in new[] { "Bash", "Read", "Edit", "Write", "Glob", "Grep", "Task", "TodoWrite", "WebFetch", "WebSearch", "NotebookEdit", "BashOutput" })
            tools.Add(new JsonObject
            {
                ["name"] = name,
                ["description"] = $"{name}: " + Filler(900),
                ["input_schema"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject
                    {
                        ["command"] = new JsonObject { ["type"] = "string", ["description"] = "The command to run" },
                        ["timeout"] = new JsonObject { ["type"] = "number", ["description"] = "Optional timeout in milliseconds (max 600000)" },
                    },
                    ["required"] = new JsonArray("command"),
                    ["additionalProperties"] = false,
                    ["$schema"] = "http://json-schema.org/draft-07/schema#",
                },
            });
        return new JsonObject
        {
            ["model"] = "claude-sonnet-4-5-20250929",
            ["max_tokens"] = 32000,
            ["stream"] = stream,
            ["system"] = new JsonArray(
                new JsonObject { ["type"] = "text", ["text"] = "You are Claude Code, Anthropic's official CLI for Claude." },
                new JsonObject { ["type"] = "text", ["text"] = Filler(9000), ["cache_control"] = new JsonObject { ["type"] = "ephemeral" } }),
            ["messages"] = messages,
            ["tools"] = tools,
            ["metadata"] = new JsonObject { ["user_id"] = $$"""{"device_id":"d41d8cd98f00b204e9800998ecf8427e","account_uuid":"6f1c","session_id":"{{SessionId}}"}""" },
            ["thinking"] = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = 1024 },
        };
    }

    private static JsonObject Text(string text) => new() { ["type"] = "text", ["text"] = text };

    /// <summary>Source-like text of about <paramref name="bytes"/> bytes, with quotes and newlines to escape.</summary>
    private static string Filler(int bytes)
    {
        const string line = "    var result = await reader.ReadAsync(\"input\", cancellationToken); // line\n";
        var text = new StringBuilder(bytes + line.Length);
        while (text.Length < bytes)
            text.Append(line);
        return text.ToString();
    }
}

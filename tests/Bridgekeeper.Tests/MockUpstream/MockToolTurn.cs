using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bridgekeeper.Tests.MockUpstream;

/// <summary>One tool call as a client reads it from a reply.</summary>
internal sealed record MockTurnCall(string Id, string Name, string Arguments);

/// <summary>
/// One mock reply read the same way on every API, streamed or not, and the next request a client running the tools
/// would send (the shape a gateway's loop sends too).
/// </summary>
internal sealed record MockToolTurn(string Text, List<MockTurnCall> Calls, bool ToolStop, bool TextBeforeCalls, int Input, int Output)
{
    public static readonly string[] Apis = ["chat", "messages", "responses"];

    public static TheoryData<string, bool> ApisAndModes()
    {
        var data = new TheoryData<string, bool>();
        foreach (var api in Apis)
        {
            data.Add(api, true);
            data.Add(api, false);
        }
        return data;
    }

    /// <summary>A first request with one user message and the given tool definitions (by name).</summary>
    public static JsonObject Request(string api, bool stream, string prompt, params string[] tools)
    {
        var request = new JsonObject { ["model"] = "m", ["stream"] = stream };
        if (api == "chat" && stream)
            request["stream_options"] = new JsonObject { ["include_usage"] = true };
        if (api == "messages")
            request["max_tokens"] = 100;
        if (tools.Length > 0)
            request["tools"] = new JsonArray([.. tools.Select(name => (JsonNode)(api switch
            {
                "chat" => new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = name, ["parameters"] = new JsonObject() } },
                "messages" => new JsonObject { ["name"] = name, ["input_schema"] = new JsonObject { ["type"] = "object" } },
                _ => new JsonObject { ["type"] = "function", ["name"] = name, ["parameters"] = new JsonObject() },
            }))]);
        var message = new JsonObject { ["role"] = "user", ["content"] = prompt };
        request[api == "responses" ? "input" : "messages"] = new JsonArray(message);
        return request;
    }

    public static HttpRequestMessage Http(string api, JsonObject request, params (string Name, string Value)[] headers)
    {
        var body = request.ToJsonString();
        return api switch
        {
            "chat" => MockHarness.OpenAIChat(body, headers),
            "messages" => MockHarness.AnthropicMessages(body, headers),
            _ => MockHarness.OpenAIResponses(body, headers),
        };
    }

    /// <summary>The request after this turn: its assistant turn, then one result per call, <c>result(call)</c>.</summary>
    public JsonObject Continue(string api, JsonObject request, Func<MockTurnCall, string> result)
    {
        var next = (JsonObject)request.DeepClone();
        var conversation = (JsonArray)next[api == "responses" ? "input" : "messages"]!;
        switch (api)
        {
            case "chat":
                conversation.Add(new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = Text.Length > 0 ? Text : null,
                    ["tool_calls"] = new JsonArray([.. Calls.Select(call => (JsonNode)new JsonObject
                    {
                        ["id"] = call.Id,
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments },
                    })]),
                });
                foreach (var call in Calls)
                    conversation.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = call.Id, ["content"] = result(call) });
                break;
            case "messages":
                var content = new JsonArray();
                if (Text.Length > 0)
                    content.Add(new JsonObject { ["type"] = "text", ["text"] = Text });
                foreach (var call in Calls)
                    content.Add(new JsonObject { ["type"] = "tool_use", ["id"] = call.Id, ["name"] = call.Name, ["input"] = JsonNode.Parse(call.Arguments) });
                conversation.Add(new JsonObject { ["role"] = "assistant", ["content"] = content });
                conversation.Add(new JsonObject
                {
                    ["role"] = "user",
                    ["content"] = new JsonArray([.. Calls.Select(call => (JsonNode)new JsonObject
                    {
                        ["type"] = "tool_result",
                        ["tool_use_id"] = call.Id,
                        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = result(call) }),
                    })]),
                });
                break;
            default:
                if (Text.Length > 0)
                    conversation.Add(new JsonObject
                    {
                        ["type"] = "message",
                        ["role"] = "assistant",
                        ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = Text }),
                    });
                foreach (var call in Calls)
                    conversation.Add(new JsonObject { ["type"] = "function_call", ["call_id"] = call.Id, ["name"] = call.Name, ["arguments"] = call.Arguments });
                foreach (var call in Calls)
                    conversation.Add(new JsonObject { ["type"] = "function_call_output", ["call_id"] = call.Id, ["output"] = result(call) });
                break;
        }
        return next;
    }

    /// <summary>Reads a reply body of <paramref name="api"/>, streamed or not.</summary>
    public static MockToolTurn Read(string api, bool stream, string body) => (api, stream) switch
    {
        ("chat", true) => ChatStream(body),
        ("chat", false) => ChatBlocking(MockHarness.Json(body)),
        ("messages", true) => MessagesStream(body),
        ("messages", false) => MessagesBlocking(MockHarness.Json(body)),
        (_, true) => ResponsesStream(body),
        _ => ResponsesBlocking(MockHarness.Json(body).Clone()),
    };

    private static MockToolTurn ChatBlocking(JsonElement completion)
    {
        var choice = completion.GetProperty("choices")[0];
        var message = choice.GetProperty("message");
        var calls = message.TryGetProperty("tool_calls", out var toolCalls)
            ? toolCalls.EnumerateArray().Select(call => new MockTurnCall(call.GetProperty("id").GetString()!,
                call.GetProperty("function").GetProperty("name").GetString()!, call.GetProperty("function").GetProperty("arguments").GetString()!)).ToList()
            : [];
        var text = message.GetProperty("content").GetString() ?? "";
        var usage = completion.GetProperty("usage");
        return new(text, calls, choice.GetProperty("finish_reason").GetString() == "tool_calls", text.Length > 0,
            usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("completion_tokens").GetInt32());
    }

    /// <summary>Tool call pieces are gathered by their <c>index</c>, which must count 0, 1, … in order of first appearance.</summary>
    private static MockToolTurn ChatStream(string body)
    {
        var frames = MockHarness.Frames(body);
        Assert.Equal("[DONE]", frames[^1].Data);
        var (text, textBeforeCalls, finish) = ("", true, "");
        List<(string Id, string Name, string Arguments)> calls = [];
        JsonElement usage = default;
        foreach (var chunk in frames[..^1].Select(frame => MockHarness.Json(frame.Data)))
        {
            if (chunk.GetProperty("choices").GetArrayLength() == 0)
            {
                usage = chunk.GetProperty("usage");
                continue;
            }
            var choice = chunk.GetProperty("choices")[0];
            var delta = choice.GetProperty("delta");
            if (delta.TryGetProperty("content", out var content) && content.GetString() is { Length: > 0 } piece)
            {
                textBeforeCalls &= calls.Count == 0;
                text += piece;
            }
            if (delta.TryGetProperty("tool_calls", out var toolCalls))
                foreach (var call in toolCalls.EnumerateArray())
                {
                    var index = call.GetProperty("index").GetInt32();
                    if (call.TryGetProperty("id", out var id))
                    {
                        Assert.Equal(calls.Count, index);
                        calls.Add((id.GetString()!, call.GetProperty("function").GetProperty("name").GetString()!, ""));
                    }
                    calls[index] = calls[index] with { Arguments = calls[index].Arguments + call.GetProperty("function").GetProperty("arguments").GetString() };
                }
            if (choice.GetProperty("finish_reason").GetString() is { } reason)
                finish = reason;
        }
        return new(text, [.. calls.Select(call => new MockTurnCall(call.Id, call.Name, call.Arguments))], finish == "tool_calls",
            textBeforeCalls, usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("completion_tokens").GetInt32());
    }

    private static MockToolTurn MessagesBlocking(JsonElement message)
    {
        var (text, textBeforeCalls) = ("", true);
        List<MockTurnCall> calls = [];
        foreach (var block in message.GetProperty("content").EnumerateArray())
        {
            if (block.GetProperty("type").GetString() == "text")
            {
                textBeforeCalls &= calls.Count == 0;
                text += block.GetProperty("text").GetString();
            }
            else if (block.GetProperty("type").GetString() == "tool_use")
                calls.Add(new(block.GetProperty("id").GetString()!, block.GetProperty("name").GetString()!, block.GetProperty("input").GetRawText()));
        }
        var usage = message.GetProperty("usage");
        return new(text, calls, message.GetProperty("stop_reason").GetString() == "tool_use", textBeforeCalls,
            usage.GetProperty("input_tokens").GetInt32(), usage.GetProperty("output_tokens").GetInt32());
    }

    /// <summary>Content block indices must count 0, 1, … and each block stop before the next starts.</summary>
    private static MockToolTurn MessagesStream(string body)
    {
        var (text, textBeforeCalls, open) = ("", true, -1);
        List<(string Id, string Name, string Arguments)> calls = [];
        var callAt = new Dictionary<int, int>();
        var (stop, input, output, blocks) = ("", 0, 0, 0);
        foreach (var (name, data) in MockHarness.Frames(body))
        {
            var json = MockHarness.Json(data);
            switch (name)
            {
                case "message_start":
                    input = json.GetProperty("message").GetProperty("usage").GetProperty("input_tokens").GetInt32();
                    break;
                case "content_block_start":
                    Assert.Equal(-1, open);
                    Assert.Equal(blocks++, open = json.GetProperty("index").GetInt32());
                    var block = json.GetProperty("content_block");
                    if (block.GetProperty("type").GetString() == "tool_use")
                    {
                        callAt[open] = calls.Count;
                        calls.Add((block.GetProperty("id").GetString()!, block.GetProperty("name").GetString()!, ""));
                    }
                    break;
                case "content_block_delta":
                    var delta = json.GetProperty("delta");
                    Assert.Equal(open, json.GetProperty("index").GetInt32());
                    if (delta.GetProperty("type").GetString() == "text_delta")
                    {
                        textBeforeCalls &= calls.Count == 0;
                        text += delta.GetProperty("text").GetString();
                    }
                    else if (delta.GetProperty("type").GetString() == "input_json_delta")
                        calls[callAt[open]] = calls[callAt[open]] with { Arguments = calls[callAt[open]].Arguments + delta.GetProperty("partial_json").GetString() };
                    break;
                case "content_block_stop":
                    Assert.Equal(open, json.GetProperty("index").GetInt32());
                    open = -1;
                    break;
                case "message_delta":
                    stop = json.GetProperty("delta").GetProperty("stop_reason").GetString()!;
                    output = json.GetProperty("usage").GetProperty("output_tokens").GetInt32();
                    break;
            }
        }
        return new(text, [.. calls.Select(call => new MockTurnCall(call.Id, call.Name, call.Arguments))], stop == "tool_use", textBeforeCalls, input, output);
    }

    private static MockToolTurn ResponsesBlocking(JsonElement response)
    {
        var (text, textBeforeCalls) = ("", true);
        List<MockTurnCall> calls = [];
        foreach (var item in response.GetProperty("output").EnumerateArray())
        {
            if (item.GetProperty("type").GetString() == "message")
            {
                textBeforeCalls &= calls.Count == 0;
                text += item.GetProperty("content")[0].GetProperty("text").GetString();
            }
            else if (item.GetProperty("type").GetString() == "function_call")
                calls.Add(new(item.GetProperty("call_id").GetString()!, item.GetProperty("name").GetString()!, item.GetProperty("arguments").GetString()!));
        }
        var usage = response.GetProperty("usage");
        return new(text, calls, calls.Count > 0, textBeforeCalls, usage.GetProperty("input_tokens").GetInt32(), usage.GetProperty("output_tokens").GetInt32());
    }

    /// <summary>The completed response, after checking that items are added at <c>output_index</c> 0, 1, … and that argument deltas add up.</summary>
    private static MockToolTurn ResponsesStream(string body)
    {
        var events = MockHarness.ResponsesEvents(body);
        var added = events.Where(e => e.Event == "response.output_item.added").ToList();
        Assert.Equal(Enumerable.Range(0, added.Count), added.Select(e => e.Json.GetProperty("output_index").GetInt32()));
        var turn = ResponsesBlocking(events[^1].Json.GetProperty("response"));
        foreach (var item in added.Select(e => e.Json.GetProperty("item")).Where(item => item.GetProperty("type").GetString() == "function_call"))
        {
            var id = item.GetProperty("id").GetString();
            var arguments = string.Concat(events.Where(e => e.Event == "response.function_call_arguments.delta" && e.Json.GetProperty("item_id").GetString() == id)
                .Select(e => e.Json.GetProperty("delta").GetString()));
            Assert.Contains(turn.Calls, call => call.Id == item.GetProperty("call_id").GetString() && call.Arguments == arguments);
        }
        return turn;
    }
}

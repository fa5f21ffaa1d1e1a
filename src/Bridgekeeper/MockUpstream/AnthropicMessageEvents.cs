using System.Text.Json.Nodes;
using K = Bridgekeeper.MockUpstream.MockWireKeys;

namespace Bridgekeeper.MockUpstream;

/// <summary>Builds Anthropic Messages bodies and stream events for one response (one message id).</summary>
internal sealed class AnthropicMessageEvents(string model)
{
    public const string ThinkingText = "Let me think about this step by step.";
    public const string Signature = "EqQBCkgIBhABGAIiQMockSignatureForBridgekeeperOnlyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==";

    /// <summary>Anthropic's ping data, byte for byte (note the space).</summary>
    public const string PingData = """{"type": "ping"}""";

    public const string MessageStartEvent = "message_start";
    public const string ContentBlockStartEvent = "content_block_start";
    public const string ContentBlockDeltaEvent = "content_block_delta";
    public const string ContentBlockStopEvent = "content_block_stop";
    public const string MessageDeltaEvent = "message_delta";
    public const string MessageStopEvent = "message_stop";
    public const string PingEvent = "ping";
    public const string ErrorEvent = "error";

    public string Id { get; } = MockText.NewId("msg_01", 22);

    public JsonObject MessageStart(MockUsage usage) => new()
    {
        [K.Type] = MessageStartEvent,
        [K.Message] = new JsonObject
        {
            [K.Id] = Id,
            [K.Type] = K.Message,
            [K.Role] = K.Assistant,
            [K.Model] = model,
            [K.Content] = new JsonArray(),
            [K.StopReason] = null,
            [K.StopSequence] = null,
            [K.Usage] = Usage(usage, outputTokens: 1),
        },
    };

    public static JsonObject BlockStart(int index, JsonObject block) => new()
    {
        [K.Type] = ContentBlockStartEvent,
        [K.Index] = index,
        [K.ContentBlock] = block,
    };

    public static JsonObject TextBlock(string text) => new() { [K.Type] = K.Text, [K.Text] = text };

    public static JsonObject ThinkingBlock(string thinking, string signature) => new()
    {
        [K.Type] = K.Thinking,
        [K.Thinking] = thinking,
        [K.Signature] = signature,
    };

    /// <summary>A <c>tool_use</c> block with a new id.</summary>
    public static JsonObject ToolUseBlock(string name, JsonNode input) => new()
    {
        [K.Type] = K.ToolUse,
        [K.Id] = MockText.NewId("toolu_01", 22),
        [K.Name] = name,
        [K.Input] = input,
    };

    /// <summary>A <c>content_block_delta</c> whose delta is <c>{"type": deltaType, field: value}</c>.</summary>
    public static JsonObject Delta(int index, string deltaType, string field, string value) => new()
    {
        [K.Type] = ContentBlockDeltaEvent,
        [K.Index] = index,
        [K.Delta] = new JsonObject { [K.Type] = deltaType, [field] = value },
    };

    public static JsonObject BlockStop(int index) => new() { [K.Type] = ContentBlockStopEvent, [K.Index] = index };

    /// <summary>Final stop reason and usage; the input figures repeat cumulatively, as newer API versions send them.</summary>
    public static JsonObject MessageDelta(string stopReason, MockUsage usage) => new()
    {
        [K.Type] = MessageDeltaEvent,
        [K.Delta] = new JsonObject { [K.StopReason] = stopReason, [K.StopSequence] = null },
        [K.Usage] = Usage(usage, usage.Output),
    };

    public static JsonObject MessageStop() => new() { [K.Type] = MessageStopEvent };

    /// <summary>A blocking <c>message</c> body.</summary>
    public JsonObject Message(JsonArray content, string stopReason, MockUsage usage) => new()
    {
        [K.Id] = Id,
        [K.Type] = K.Message,
        [K.Role] = K.Assistant,
        [K.Model] = model,
        [K.Content] = content,
        [K.StopReason] = stopReason,
        [K.StopSequence] = null,
        [K.Usage] = Usage(usage, usage.Output),
    };

    /// <summary>The usage object; <c>server_tool_use</c> only when the reply ran web searches.</summary>
    public static JsonObject Usage(MockUsage usage, int outputTokens)
    {
        var figures = Figures(usage, outputTokens);
        if (usage.WebSearches > 0)
            figures[K.ServerToolUse] = new JsonObject { ["web_search_requests"] = usage.WebSearches };
        return figures;
    }

    private static JsonObject Figures(MockUsage usage, int outputTokens) => new()
    {
        [K.InputTokens] = usage.Input,
        [K.CacheCreationInputTokens] = usage.CacheWrite,
        [K.CacheReadInputTokens] = usage.CacheRead,
        ["cache_creation"] = new JsonObject
        {
            ["ephemeral_5m_input_tokens"] = usage.CacheWrite - usage.CacheWrite1h,
            ["ephemeral_1h_input_tokens"] = usage.CacheWrite1h,
        },
        [K.OutputTokens] = outputTokens,
    };

    /// <summary>The <c>server_tool_use</c> block of a web search (its input complete when blocking, streamed as <c>{}</c> first).</summary>
    public static JsonObject WebSearchUse(string id, JsonNode input) => new()
    {
        [K.Type] = K.ServerToolUse,
        [K.Id] = id,
        [K.Name] = K.WebSearch,
        [K.Input] = input,
    };

    public static JsonObject WebSearchQuery() => new() { [K.Query] = OpenAIResponsesEvents.WebSearchQuery };

    /// <summary>What the search found, as Anthropic returns it: one result with encrypted content.</summary>
    public static JsonObject WebSearchResult(string toolUseId) => new()
    {
        [K.Type] = "web_search_tool_result",
        ["tool_use_id"] = toolUseId,
        [K.Content] = new JsonArray(new JsonObject
        {
            [K.Type] = "web_search_result",
            ["title"] = "Paris weather",
            ["url"] = "https://weather.example/paris",
            ["encrypted_content"] = "EqgfCioIARgBIiQ3YTAwMjY1Mi1mZjM5LTQ1NGUtODgxNC1kNjNjNTk1ZWI3Y2M",
            ["page_age"] = "2 hours ago",
        }),
    };

    public static string NewServerToolUseId() => MockText.NewId("srvtoolu_01", 22);
}

namespace Bridgekeeper.Providers.AnthropicMessages;

/// <summary>Wire keys and values of the Anthropic Messages API.</summary>
internal static class Keys
{
    public const string Model = "model";
    public const string Stream = "stream";
    public const string Messages = "messages";
    public const string Tools = "tools";
    public const string Content = "content";
    public const string Type = "type";
    public const string Text = "text";
    public const string Metadata = "metadata";
    public const string UserId = "user_id";
    public const string SessionId = "session_id";
    public const string SessionMarker = "_session_";
    public const string Error = "error";
    public const string Message = "message";
    public const string Id = "id";
    public const string Name = "name";
    public const string Index = "index";
    public const string ContentBlock = "content_block";
    public const string Delta = "delta";
    public const string Input = "input";
    public const string Thinking = "thinking";
    public const string Signature = "signature";
    public const string PartialJson = "partial_json";
    public const string Citation = "citation";
    public const string Citations = "citations";
    public const string StopReason = "stop_reason";
    public const string Usage = "usage";
    public const string InputTokens = "input_tokens";
    public const string OutputTokens = "output_tokens";
    public const string CacheCreationInputTokens = "cache_creation_input_tokens";
    public const string CacheReadInputTokens = "cache_read_input_tokens";

    /// <summary>The <c>type</c> of a tool call's content block, and the <c>stop_reason</c> of a turn that ends in tool calls.</summary>
    public const string ToolUse = "tool_use";

    /// <summary>The <c>type</c> of a <c>content_block_delta</c>'s <c>delta</c>.</summary>
    internal static class Deltas
    {
        public const string Text = "text_delta";
        public const string Thinking = "thinking_delta";
        public const string Signature = "signature_delta";
        public const string InputJson = "input_json_delta";
        public const string Citations = "citations_delta";
    }

    /// <summary>Stream event names (the SSE <c>event:</c> line, repeated as the data's <c>type</c>).</summary>
    internal static class Events
    {
        public const string MessageStart = "message_start";
        public const string MessageDelta = "message_delta";
        public const string ContentBlockStart = "content_block_start";
        public const string ContentBlockDelta = "content_block_delta";
        public const string ContentBlockStop = "content_block_stop";
        public const string MessageStop = "message_stop";
        public const string Error = "error";
    }

    /// <summary>The response keys and values as UTF-8, for <see cref="System.Text.Json.Utf8JsonReader"/>.</summary>
    internal static class Utf8
    {
        public static ReadOnlySpan<byte> Id => "id"u8;
        public static ReadOnlySpan<byte> Type => "type"u8;
        public static ReadOnlySpan<byte> Index => "index"u8;
        public static ReadOnlySpan<byte> Message => "message"u8;
        public static ReadOnlySpan<byte> Content => "content"u8;
        public static ReadOnlySpan<byte> ContentBlock => "content_block"u8;
        public static ReadOnlySpan<byte> Delta => "delta"u8;
        public static ReadOnlySpan<byte> Name => "name"u8;
        public static ReadOnlySpan<byte> Input => "input"u8;
        public static ReadOnlySpan<byte> Thinking => "thinking"u8;
        public static ReadOnlySpan<byte> PartialJson => "partial_json"u8;
        public static ReadOnlySpan<byte> Usage => "usage"u8;
        public static ReadOnlySpan<byte> InputTokens => "input_tokens"u8;
        public static ReadOnlySpan<byte> OutputTokens => "output_tokens"u8;
        public static ReadOnlySpan<byte> CacheCreationInputTokens => "cache_creation_input_tokens"u8;
        public static ReadOnlySpan<byte> CacheCreation => "cache_creation"u8;
        public static ReadOnlySpan<byte> Ephemeral1hInputTokens => "ephemeral_1h_input_tokens"u8;
        public static ReadOnlySpan<byte> WebSearchRequests => "web_search_requests"u8;
        public static ReadOnlySpan<byte> CacheReadInputTokens => "cache_read_input_tokens"u8;
        public static ReadOnlySpan<byte> Error => "error"u8;

        public static ReadOnlySpan<byte> ToolUse => "tool_use"u8;
        public static ReadOnlySpan<byte> ServerToolUse => "server_tool_use"u8;
        public static ReadOnlySpan<byte> McpToolUse => "mcp_tool_use"u8;
        public static ReadOnlySpan<byte> InputJsonDelta => "input_json_delta"u8;
        public static ReadOnlySpan<byte> ThinkingDelta => "thinking_delta"u8;
    }
}

namespace Bridgekeeper.Providers.OpenAIChat;

/// <summary>Wire keys and values of the Chat Completions API.</summary>
internal static class Keys
{
    public const string Model = "model";
    public const string Stream = "stream";
    public const string StreamOptions = "stream_options";
    public const string IncludeUsage = "include_usage";
    public const string Messages = "messages";
    public const string Content = "content";
    public const string Type = "type";
    public const string Text = "text";
    public const string Error = "error";
    public const string Message = "message";
    public const string Param = "param";
    public const string Code = "code";

    // The hidden tool loop (OpenAIChatToolLoop / OpenAIChatLoopTurn).
    public const string Id = "id";
    public const string Role = "role";
    public const string Assistant = "assistant";
    public const string Tool = "tool";
    public const string Tools = "tools";
    public const string Function = "function";
    public const string Name = "name";
    public const string Description = "description";
    public const string Parameters = "parameters";
    public const string Arguments = "arguments";
    public const string ToolCalls = "tool_calls";
    public const string ToolCallId = "tool_call_id";
    public const string Index = "index";
    public const string Choices = "choices";
    public const string Delta = "delta";
    public const string FinishReason = "finish_reason";
    public const string Usage = "usage";
    public const string PromptTokens = "prompt_tokens";
    public const string CompletionTokens = "completion_tokens";
    public const string TotalTokens = "total_tokens";
    public const string PromptTokensDetails = "prompt_tokens_details";
    public const string CachedTokens = "cached_tokens";
    public const string CompletionTokensDetails = "completion_tokens_details";
    public const string ReasoningTokens = "reasoning_tokens";

    /// <summary>The response keys as UTF-8, for <see cref="System.Text.Json.Utf8JsonReader"/>.</summary>
    internal static class Utf8
    {
        public static ReadOnlySpan<byte> Done => "[DONE]"u8;
        public static ReadOnlySpan<byte> Id => "id"u8;
        public static ReadOnlySpan<byte> Index => "index"u8;
        public static ReadOnlySpan<byte> Choices => "choices"u8;
        public static ReadOnlySpan<byte> Delta => "delta"u8;
        public static ReadOnlySpan<byte> Message => "message"u8;
        public static ReadOnlySpan<byte> ToolCalls => "tool_calls"u8;
        public static ReadOnlySpan<byte> Function => "function"u8;
        public static ReadOnlySpan<byte> Name => "name"u8;
        public static ReadOnlySpan<byte> Arguments => "arguments"u8;
        public static ReadOnlySpan<byte> Usage => "usage"u8;
        public static ReadOnlySpan<byte> ServiceTier => "service_tier"u8;
        public static ReadOnlySpan<byte> PromptTokens => "prompt_tokens"u8;
        public static ReadOnlySpan<byte> CompletionTokens => "completion_tokens"u8;
        public static ReadOnlySpan<byte> PromptTokensDetails => "prompt_tokens_details"u8;
        public static ReadOnlySpan<byte> CachedTokens => "cached_tokens"u8;
        public static ReadOnlySpan<byte> CompletionTokensDetails => "completion_tokens_details"u8;
        public static ReadOnlySpan<byte> ReasoningTokens => "reasoning_tokens"u8;
        public static ReadOnlySpan<byte> Error => "error"u8;
        public static ReadOnlySpan<byte> Type => "type"u8;
    }
}

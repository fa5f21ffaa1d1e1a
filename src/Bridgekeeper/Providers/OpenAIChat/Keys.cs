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

namespace Bridgekeeper.Providers.OpenAIResponses;

/// <summary>Wire keys and values of the OpenAI Responses API.</summary>
internal static class Keys
{
    public const string Model = "model";
    public const string Stream = "stream";
    public const string Input = "input";
    public const string Background = "background";
    public const string PreviousResponseId = "previous_response_id";
    public const string Prompt = "prompt";
    public const string Content = "content";
    public const string Type = "type";
    public const string Message = "message";
    public const string Text = "text";
    public const string InputText = "input_text";
    public const string Code = "code";
    public const string Param = "param";
    public const string SequenceNumber = "sequence_number";
    public const string Error = "error";

    /// <summary>Keys the hidden tool loop reads and writes (<see cref="OpenAIResponsesToolLoop"/>).</summary>
    public const string Tools = "tools";
    public const string Store = "store";
    public const string Role = "role";
    public const string User = "user";
    public const string Id = "id";
    public const string Name = "name";
    public const string Description = "description";
    public const string Parameters = "parameters";
    public const string Strict = "strict";
    public const string Function = "function";
    public const string CallId = "call_id";
    public const string Output = "output";
    public const string OutputIndex = "output_index";
    public const string Item = "item";
    public const string Response = "response";
    public const string Status = "status";
    public const string Completed = "completed";
    public const string EncryptedContent = "encrypted_content";
    public const string Usage = "usage";
    public const string InputTokens = "input_tokens";
    public const string InputTokensDetails = "input_tokens_details";
    public const string CachedTokens = "cached_tokens";
    public const string OutputTokens = "output_tokens";
    public const string OutputTokensDetails = "output_tokens_details";
    public const string ReasoningTokens = "reasoning_tokens";
    public const string TotalTokens = "total_tokens";

    /// <summary>Stream event names (the SSE <c>event:</c> line, repeated as the data's <c>type</c>).</summary>
    internal static class Events
    {
        public const string Created = "response.created";
        public const string InProgress = "response.in_progress";
        public const string Completed = "response.completed";
        public const string Incomplete = "response.incomplete";
        public const string Failed = "response.failed";
        public const string OutputItemAdded = "response.output_item.added";
        public const string OutputItemDone = "response.output_item.done";
        public const string FunctionCallArgumentsDelta = "response.function_call_arguments.delta";
        public const string CustomToolCallInputDelta = "response.custom_tool_call_input.delta";
        public const string McpCallArgumentsDelta = "response.mcp_call_arguments.delta";
        public const string Error = "error";
    }

    /// <summary>Item types the audit reads (built-in tool calls are recognised by their <c>_call</c> suffix).</summary>
    internal static class ItemTypes
    {
        public const string Message = "message";
        public const string Reasoning = "reasoning";
        public const string FunctionCall = "function_call";
        public const string CustomToolCall = "custom_tool_call";
        public const string FunctionCallOutput = "function_call_output";
        public const string CallSuffix = "_call";
        public const string WebSearchCall = "web_search_call";
    }

    /// <summary>The response keys and values as UTF-8, for <see cref="System.Text.Json.Utf8JsonReader"/>.</summary>
    internal static class Utf8
    {
        public static ReadOnlySpan<byte> Type => "type"u8;
        public static ReadOnlySpan<byte> Id => "id"u8;
        public static ReadOnlySpan<byte> CallId => "call_id"u8;
        public static ReadOnlySpan<byte> Name => "name"u8;
        public static ReadOnlySpan<byte> Response => "response"u8;
        public static ReadOnlySpan<byte> Status => "status"u8;
        public static ReadOnlySpan<byte> ServiceTier => "service_tier"u8;
        public static ReadOnlySpan<byte> Output => "output"u8;
        public static ReadOnlySpan<byte> OutputIndex => "output_index"u8;
        public static ReadOnlySpan<byte> Item => "item"u8;
        public static ReadOnlySpan<byte> Delta => "delta"u8;
        public static ReadOnlySpan<byte> Phase => "phase"u8;
        public static ReadOnlySpan<byte> Content => "content"u8;
        public static ReadOnlySpan<byte> Summary => "summary"u8;
        public static ReadOnlySpan<byte> Text => "text"u8;
        public static ReadOnlySpan<byte> Action => "action"u8;
        public static ReadOnlySpan<byte> Arguments => "arguments"u8;
        public static ReadOnlySpan<byte> Input => "input"u8;
        public static ReadOnlySpan<byte> Code => "code"u8;
        public static ReadOnlySpan<byte> Queries => "queries"u8;
        public static ReadOnlySpan<byte> Usage => "usage"u8;
        public static ReadOnlySpan<byte> InputTokens => "input_tokens"u8;
        public static ReadOnlySpan<byte> OutputTokens => "output_tokens"u8;
        public static ReadOnlySpan<byte> InputTokensDetails => "input_tokens_details"u8;
        public static ReadOnlySpan<byte> CachedTokens => "cached_tokens"u8;
        public static ReadOnlySpan<byte> OutputTokensDetails => "output_tokens_details"u8;
        public static ReadOnlySpan<byte> ReasoningTokens => "reasoning_tokens"u8;
        public static ReadOnlySpan<byte> Error => "error"u8;
        public static ReadOnlySpan<byte> Message => "message"u8;
        public static ReadOnlySpan<byte> SequenceNumber => "sequence_number"u8;
        public static ReadOnlySpan<byte> ItemId => "item_id"u8;
        public static ReadOnlySpan<byte> ResponseId => "response_id"u8;

        public static ReadOnlySpan<byte> Commentary => "commentary"u8;
        public static ReadOnlySpan<byte> OutputText => "output_text"u8;
        public static ReadOnlySpan<byte> SummaryText => "summary_text"u8;
        public static ReadOnlySpan<byte> Failed => "failed"u8;
    }
}

namespace Bridgekeeper.MockUpstream;

/// <summary>The JSON keys and fixed values of the two wire formats the mock speaks.</summary>
internal static class MockWireKeys
{
    // Shared
    public const string Id = "id";
    public const string Type = "type";
    public const string Model = "model";
    public const string Role = "role";
    public const string Content = "content";
    public const string Index = "index";
    public const string Delta = "delta";
    public const string Usage = "usage";
    public const string Error = "error";
    public const string Message = "message";
    public const string Messages = "messages";
    public const string Stream = "stream";
    public const string Name = "name";
    public const string Text = "text";
    public const string Data = "data";
    public const string Assistant = "assistant";

    // OpenAI chat completions
    public const string Object = "object";
    public const string Created = "created";
    public const string SystemFingerprint = "system_fingerprint";
    public const string Choices = "choices";
    public const string Logprobs = "logprobs";
    public const string FinishReason = "finish_reason";
    public const string StreamOptions = "stream_options";
    public const string IncludeUsage = "include_usage";
    public const string ToolCalls = "tool_calls";
    public const string Function = "function";
    public const string Arguments = "arguments";
    public const string Refusal = "refusal";
    public const string Annotations = "annotations";
    public const string PromptTokens = "prompt_tokens";
    public const string CompletionTokens = "completion_tokens";
    public const string TotalTokens = "total_tokens";
    public const string PromptTokensDetails = "prompt_tokens_details";
    public const string CompletionTokensDetails = "completion_tokens_details";
    public const string CachedTokens = "cached_tokens";
    public const string AudioTokens = "audio_tokens";
    public const string ReasoningTokens = "reasoning_tokens";
    public const string AcceptedPredictionTokens = "accepted_prediction_tokens";
    public const string RejectedPredictionTokens = "rejected_prediction_tokens";
    public const string Param = "param";
    public const string Code = "code";
    public const string OwnedBy = "owned_by";
    public const string ServiceTier = "service_tier";
    public const string ChatCompletion = "chat.completion";
    public const string ChatCompletionChunk = "chat.completion.chunk";
    public const string Tool = "tool";
    public const string List = "list";

    // Anthropic messages
    public const string StopReason = "stop_reason";
    public const string StopSequence = "stop_sequence";
    public const string InputTokens = "input_tokens";
    public const string OutputTokens = "output_tokens";
    public const string CacheCreationInputTokens = "cache_creation_input_tokens";
    public const string CacheReadInputTokens = "cache_read_input_tokens";
    public const string ContentBlock = "content_block";
    public const string Thinking = "thinking";
    public const string Signature = "signature";
    public const string PartialJson = "partial_json";
    public const string Input = "input";
    public const string ToolUse = "tool_use";
    public const string ToolResult = "tool_result";
    public const string RequestId = "request_id";
    public const string DisplayName = "display_name";
    public const string CreatedAt = "created_at";
    public const string HasMore = "has_more";
    public const string FirstId = "first_id";
    public const string LastId = "last_id";
    public const string User = "user";

    // OpenAI responses
    public const string SequenceNumber = "sequence_number";
    public const string Response = "response";
    public const string Status = "status";
    public const string Output = "output";
    public const string OutputIndex = "output_index";
    public const string ContentIndex = "content_index";
    public const string SummaryIndex = "summary_index";
    public const string ItemId = "item_id";
    public const string Item = "item";
    public const string Part = "part";
    public const string Summary = "summary";
    public const string SummaryText = "summary_text";
    public const string OutputText = "output_text";
    public const string InputText = "input_text";
    public const string CallId = "call_id";
    public const string Phase = "phase";
    public const string Action = "action";
    public const string Query = "query";
    public const string ServerToolUse = "server_tool_use";
    public const string WebSearch = "web_search";
    public const string Search = "search";
    public const string PreviousResponseId = "previous_response_id";
    public const string Reasoning = "reasoning";
    public const string EncryptedContent = "encrypted_content";
    public const string Include = "include";
    public const string FunctionCall = "function_call";
    public const string FunctionCallOutput = "function_call_output";
    public const string CustomToolCall = "custom_tool_call";
    public const string CustomToolCallOutput = "custom_tool_call_output";
    public const string WebSearchCall = "web_search_call";
    public const string InputTokensDetails = "input_tokens_details";
    public const string OutputTokensDetails = "output_tokens_details";
    public const string Store = "store";
    public const string Metadata = "metadata";
    public const string Namespace = "namespace";
    public const string Background = "background";
    public const string IncompleteDetails = "incomplete_details";
    public const string Instructions = "instructions";
    public const string MaxOutputTokens = "max_output_tokens";
    public const string MaxToolCalls = "max_tool_calls";
    public const string ParallelToolCalls = "parallel_tool_calls";
    public const string PromptCacheKey = "prompt_cache_key";
    public const string SafetyIdentifier = "safety_identifier";
    public const string Temperature = "temperature";
    public const string ToolChoice = "tool_choice";
    public const string TopLogprobs = "top_logprobs";
    public const string TopP = "top_p";
    public const string Truncation = "truncation";
    public const string Effort = "effort";
    public const string Format = "format";
    public const string Verbosity = "verbosity";

    // Tool definitions (all three APIs)
    public const string Tools = "tools";
    public const string Parameters = "parameters";
    public const string InputSchema = "input_schema";
    public const string Properties = "properties";
    public const string Required = "required";
}

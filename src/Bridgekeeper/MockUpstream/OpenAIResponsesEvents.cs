using System.Text.Json.Nodes;
using K = Bridgekeeper.MockUpstream.MockWireKeys;

namespace Bridgekeeper.MockUpstream;

/// <summary>
/// Builds OpenAI Responses API objects and stream events for one response (one id, one timestamp): every event's
/// data starts with its <c>type</c> and a <c>sequence_number</c> counting from 0.
/// </summary>
internal sealed class OpenAIResponsesEvents(JsonObject request, string model, long createdAt, string? previousResponseId)
{
    public const string ReasoningSummary = "**Planning the reply**\n\nThe user wants a short answer, so I will reply directly.";
    public const string CommentaryText = "I will check the weather first.";
    public const string WebSearchQuery = "weather in Paris";
    public const string CommentaryPhase = "commentary";
    public const string FinalAnswerPhase = "final_answer";
    public const string InProgress = "in_progress";
    public const string Completed = "completed";
    public const string Failed = "failed";
    private const string EncryptedReasoning = "reasoning.encrypted_content";

    public const string CreatedEvent = "response.created";
    public const string InProgressEvent = "response.in_progress";
    public const string CompletedEvent = "response.completed";
    public const string FailedEvent = "response.failed";
    public const string OutputItemAddedEvent = "response.output_item.added";
    public const string OutputItemDoneEvent = "response.output_item.done";
    public const string ContentPartAddedEvent = "response.content_part.added";
    public const string ContentPartDoneEvent = "response.content_part.done";
    public const string OutputTextDeltaEvent = "response.output_text.delta";
    public const string OutputTextDoneEvent = "response.output_text.done";
    public const string SummaryPartAddedEvent = "response.reasoning_summary_part.added";
    public const string SummaryPartDoneEvent = "response.reasoning_summary_part.done";
    public const string SummaryTextDeltaEvent = "response.reasoning_summary_text.delta";
    public const string SummaryTextDoneEvent = "response.reasoning_summary_text.done";
    public const string ArgumentsDeltaEvent = "response.function_call_arguments.delta";
    public const string ArgumentsDoneEvent = "response.function_call_arguments.done";
    public const string WebSearchInProgressEvent = "response.web_search_call.in_progress";
    public const string WebSearchSearchingEvent = "response.web_search_call.searching";
    public const string WebSearchCompletedEvent = "response.web_search_call.completed";

    private int _sequence;

    public string Id { get; } = MockText.NewId("resp_", 48);

    public static string NewItemId(string prefix) => MockText.NewId(prefix, 48);

    /// <summary>Event data: <c>type</c>, the next <c>sequence_number</c>, then the fields in order.</summary>
    public JsonObject Event(string type, ReadOnlySpan<KeyValuePair<string, JsonNode?>> fields)
    {
        var data = new JsonObject { [K.Type] = type, [K.SequenceNumber] = _sequence++ };
        foreach (var (key, value) in fields)
            data[key] = value;
        return data;
    }

    /// <summary>The tier the response reports (<see cref="MockReply.ServiceTier"/>), not the request's <c>auto</c>.</summary>
    public string ServiceTier { get; init; } = "default";

    /// <summary>The response object; request settings are echoed, with the API's defaults where the request has none.</summary>
    public JsonObject Response(string status, JsonArray output, MockUsage? usage, JsonObject? error = null) => new()
    {
        [K.Id] = Id,
        [K.Object] = K.Response,
        [K.CreatedAt] = createdAt,
        [K.Status] = status,
        [K.Background] = Echo(K.Background) ?? false,
        [K.Error] = error,
        [K.IncompleteDetails] = null,
        [K.Instructions] = Echo(K.Instructions),
        [K.MaxOutputTokens] = Echo(K.MaxOutputTokens),
        [K.MaxToolCalls] = Echo(K.MaxToolCalls),
        [K.Model] = model,
        [K.Output] = output,
        [K.ParallelToolCalls] = Echo(K.ParallelToolCalls) ?? true,
        [K.PreviousResponseId] = previousResponseId,
        [K.PromptCacheKey] = Echo(K.PromptCacheKey),
        [K.Reasoning] = Echo(K.Reasoning) ?? new JsonObject { [K.Effort] = null, [K.Summary] = null },
        [K.SafetyIdentifier] = Echo(K.SafetyIdentifier),
        [K.ServiceTier] = ServiceTier,
        [K.Store] = Echo(K.Store) ?? true,
        [K.Temperature] = Echo(K.Temperature) ?? JsonNode.Parse("1.0"),
        [K.Text] = Echo(K.Text) ?? new JsonObject { [K.Format] = new JsonObject { [K.Type] = K.Text }, [K.Verbosity] = "medium" },
        [K.ToolChoice] = Echo(K.ToolChoice) ?? "auto",
        [K.Tools] = Echo(K.Tools) ?? new JsonArray(),
        [K.TopLogprobs] = Echo(K.TopLogprobs) ?? 0,
        [K.TopP] = Echo(K.TopP) ?? JsonNode.Parse("1.0"),
        [K.Truncation] = Echo(K.Truncation) ?? "disabled",
        [K.Usage] = usage is { } figures ? Usage(figures) : null,
        [K.User] = Echo(K.User),
        [K.Metadata] = Echo(K.Metadata) ?? new JsonObject(),
    };

    public static JsonObject FailedError() => new() { [K.Code] = MockErrors.ResponsesFailedCode, [K.Message] = MockErrors.ResponsesFailedMessage };

    /// <summary>An assistant message item; <paramref name="phase"/> (<c>commentary</c>, <c>final_answer</c>) only when given.</summary>
    public static JsonObject Message(string id, string status, JsonArray content, string? phase)
    {
        var item = new JsonObject { [K.Id] = id, [K.Type] = K.Message, [K.Status] = status, [K.Content] = content, [K.Role] = K.Assistant };
        if (phase is not null)
            item[K.Phase] = phase;
        return item;
    }

    public static JsonObject OutputText(string text) => new()
    {
        [K.Type] = K.OutputText,
        [K.Annotations] = new JsonArray(),
        [K.Logprobs] = new JsonArray(),
        [K.Text] = text,
    };

    /// <summary>A reasoning item; with <c>encrypted_content</c> when the request's <c>include</c> asked for it.</summary>
    public JsonObject Reasoning(string id, JsonArray summary)
    {
        var item = new JsonObject { [K.Id] = id, [K.Type] = K.Reasoning, [K.Summary] = summary };
        if (request[K.Include] is JsonArray include && include.Any(entry => MockJson.String(entry) == EncryptedReasoning))
            item[K.EncryptedContent] = "gAAAAABmockEncryptedReasoningForBridgekeeperOnly==";
        return item;
    }

    public static JsonObject SummaryText(string text) => new() { [K.Type] = K.SummaryText, [K.Text] = text };

    public static JsonObject FunctionCall(string id, string status, string arguments, string callId, string name) => new()
    {
        [K.Id] = id,
        [K.Type] = K.FunctionCall,
        [K.Status] = status,
        [K.Arguments] = arguments,
        [K.CallId] = callId,
        [K.Name] = name,
    };

    /// <summary>A web search call; the query is known once it completed.</summary>
    public static JsonObject WebSearch(string id, string status)
    {
        var action = new JsonObject { [K.Type] = K.Search };
        if (status == Completed)
            action[K.Query] = WebSearchQuery;
        return new JsonObject { [K.Id] = id, [K.Type] = K.WebSearchCall, [K.Status] = status, [K.Action] = action };
    }

    /// <summary><c>input_tokens</c> includes the cached ones, as OpenAI bills them; reasoning is part of <c>output_tokens</c>.</summary>
    public static JsonObject Usage(MockUsage usage) => new()
    {
        [K.InputTokens] = usage.PromptTokens,
        [K.InputTokensDetails] = new JsonObject { [K.CachedTokens] = usage.CacheRead },
        [K.OutputTokens] = usage.Output,
        [K.OutputTokensDetails] = new JsonObject { [K.ReasoningTokens] = usage.Reasoning },
        [K.TotalTokens] = usage.PromptTokens + usage.Output,
    };

    private JsonNode? Echo(string key) => request[key]?.DeepClone();
}

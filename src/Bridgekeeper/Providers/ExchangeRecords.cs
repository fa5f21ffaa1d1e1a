namespace Bridgekeeper.Providers;

/// <summary>The facts the gateway reads from a request body.</summary>
/// <param name="Model">The requested model, or "" when absent.</param>
/// <param name="Stream">Whether the client asked for a stream.</param>
/// <param name="Prompt">
/// The last user prompt (SPEC §5), or null; at most <see cref="MaxPromptBytes"/> of it are held, with its whole size.
/// </param>
/// <param name="SessionId">A session id carried in the body (Anthropic <c>metadata.user_id</c>), or null.</param>
/// <param name="ClientWantsUsage">False when the client did not ask for the usage chunk the gateway forces upstream.</param>
/// <param name="Problem">Why the gateway refuses the body (400 for a malformed field, 501 for an unsupported mode), or null.</param>
internal sealed record RequestFacts(string Model, bool Stream, BoundedText? Prompt, string? SessionId, bool ClientWantsUsage, GatewayError? Problem = null)
{
    /// <summary>
    /// The stored upstream response the request continues (OpenAI Responses <c>previous_response_id</c>), or null: the
    /// gateway lets only the user who created it continue it.
    /// </summary>
    public string? ContinuesFrom { get; init; }

    /// <summary>The output allowance the request sets (<see cref="RequestDocument.MaxTokens"/>), or null: what a budget estimate prices.</summary>
    public long? MaxOutputTokens { get; init; }

    /// <summary>How much of a prompt is read and recorded (64 KiB of UTF-8, as for tool results).</summary>
    public const int MaxPromptBytes = 64 * 1024;
}

/// <summary>Token figures with SPEC §5 semantics: <see cref="Input"/> excludes cached input; reasoning is part of output.</summary>
internal sealed record TokenUsage(long Input, long Output, long CacheRead, long CacheWrite, long Reasoning)
{
    /// <summary>How many of <see cref="CacheWrite"/> were Anthropic 1-hour cache writes (the rest are 5-minute ones).</summary>
    public long CacheWrite1h { get; init; }

    /// <summary>Web searches the provider ran for the request (Anthropic <c>server_tool_use.web_search_requests</c>, OpenAI Responses <c>web_search_call</c> items), billed per search.</summary>
    public long WebSearches { get; init; }

    /// <summary>The OpenAI service tier the response reports when it is not the standard one (<c>flex</c>, <c>priority</c>, <c>scale</c>), else null.</summary>
    public string? ServiceTier { get; init; }

    public static readonly TokenUsage Zero = new(0, 0, 0, 0, 0);
}

/// <summary>A tool call the model made, with its arguments as JSON text (assembled whole when streamed).</summary>
internal sealed record ToolCall(string Id, string Name, string Arguments);

/// <summary>Model reasoning worth auditing. Source is <c>thinking</c>, <c>reasoning_summary</c> or <c>commentary</c>.</summary>
internal sealed record Thought(string Content, string Source);

/// <summary>What one upstream exchange amounted to.</summary>
/// <param name="Usage">Final usage figures, or null when the upstream never reported any.</param>
/// <param name="Error">An error the upstream reported inside a successful response or stream, or null.</param>
/// <param name="Finished">
/// False when a stream ended without its closing event (<c>[DONE]</c>, <c>message_stop</c>, <c>response.completed</c>):
/// the upstream cut it mid-way. Always true for a whole body.
/// </param>
internal sealed record ExchangeSummary(
    string? ResponseId,
    TokenUsage? Usage,
    IReadOnlyList<ToolCall> ToolCalls,
    IReadOnlyList<Thought> Thoughts,
    string? Error,
    bool Finished = true);

/// <summary>An error the gateway itself raises. <see cref="Type"/> is the provider-style error type.</summary>
internal sealed record GatewayError(int Status, string Type, string Message, string? Code = null)
{
    /// <summary>Sent as the <c>Retry-After</c> header (whole seconds, at least 1) when the error is written before the response started.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static GatewayError InvalidRequest(string message) => new(400, "invalid_request_error", message);
    public static GatewayError NotImplemented(string message) => new(501, "invalid_request_error", message, "unsupported_parameter");
    public static GatewayError Unauthorized(string message) => new(401, "authentication_error", message, "invalid_api_key");
    public static GatewayError Forbidden(string message, string code) => new(403, "permission_error", message, code);
    public static GatewayError NotFound(string message) => new(404, "not_found_error", message);
    public static GatewayError TooLarge(string message) => new(413, "request_too_large", message);
    public static GatewayError BodyTooLarge(long limit) => TooLarge($"The request body exceeds the gateway's limit of {limit} bytes.");
    public static GatewayError RateLimited(string message) => new(429, "rate_limit_error", message, "rate_limit_exceeded");
    public static GatewayError BadGateway(string message) => new(502, "api_error", message, "upstream_unreachable");
    public static GatewayError Unavailable(string message) => new(503, "overloaded_error", message, "service_unavailable");
    public static GatewayError Timeout(string message) => new(504, "timeout_error", message, "upstream_timeout");
}

using System.Text.Json;

namespace Bridgekeeper.Providers.AnthropicMessages;

/// <summary>Anthropic Messages (<c>POST /v1/messages</c>), directly or over Bedrock.</summary>
internal sealed class AnthropicMessagesDialect : IApiDialect
{
    private static readonly byte[] KeepAlive = "event: ping\ndata: {\"type\": \"ping\"}\n\n"u8.ToArray();

    public string Name => "anthropic-messages";

    public IToolLoopDialect ToolLoop { get; } = new AnthropicToolLoop();

    public ReadOnlyMemory<byte> KeepAliveFrame => KeepAlive;

    public RequestFacts Read(RequestDocument request) => new(
        Model: request.ShortString(request.Model, RequestChecks.MaxModelBytes) ?? "",
        Stream: request.Stream.Token == JsonTokenType.True,
        Prompt: PromptOf(request, request.LastUserMessage),
        SessionId: SessionOf(request.ShortString(request.Property(request.Metadata, "user_id"u8), RequestChecks.MaxUserIdBytes)),
        ClientWantsUsage: true,
        Problem: RequestChecks.Problem(request, request.Messages, Keys.Messages, conversationMayBeString: false))
    {
        MaxOutputTokens = request.Integer(request.MaxTokens),
    };

    /// <summary>Anthropic streams always carry usage, so the body goes upstream unchanged.</summary>
    public BodyEdit PrepareUpstream(RequestDocument request, RequestFacts facts) => BodyEdit.None;

    public IExchangeObserver Observe(RequestFacts facts) => new AnthropicMessagesObserver();

    public byte[] ErrorBody(GatewayError error) => Json.Write(error, static (writer, error) =>
    {
        writer.WriteStartObject();
        writer.WriteString(Keys.Type, Keys.Error);
        writer.WriteStartObject(Keys.Error);
        writer.WriteString(Keys.Type, ErrorType(error));
        writer.WriteString(Keys.Message, error.Message);
        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    public byte[] StreamErrorFrame(GatewayError error) => [.. "event: error\ndata: "u8, .. ErrorBody(error), .. "\n\n"u8];

    /// <summary>Anthropic's error type for a status (its documented table), else the type we were given.</summary>
    private static string ErrorType(GatewayError error) => error.Status switch
    {
        400 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        500 or 502 => "api_error",
        503 or 529 => "overloaded_error",
        504 => "timeout_error",
        _ => error.Type,
    };

    /// <summary>SPEC §5: a string content as it is, or the last text block (Claude Code puts its reminders first).</summary>
    private static BoundedText? PromptOf(RequestDocument request, JsonSlice message)
    {
        var content = request.Property(message, "content"u8);
        if (PromptText.Text(request, content) is { } text)
            return text;
        var texts = PromptText.TextsOfType(request, content, Keys.Text).Where(text => text.Token == JsonTokenType.String).ToList();
        return texts.Count == 0 ? null : PromptText.Text(request, texts[^1]);   // none in a message of only tool_result blocks
    }

    /// <summary>
    /// Claude Code's <c>metadata.user_id</c>: a JSON object text with <c>session_id</c> (current), or
    /// <c>user_&lt;hash&gt;_account_&lt;uuid&gt;_session_&lt;uuid&gt;</c> (older).
    /// </summary>
    private static string? SessionOf(string? userId)
    {
        if (string.IsNullOrEmpty(userId))
            return null;
        if (userId.TrimStart().StartsWith('{'))
            return SessionOfJson(userId);
        var at = userId.LastIndexOf(Keys.SessionMarker, StringComparison.Ordinal);
        return at >= 0 && at + Keys.SessionMarker.Length < userId.Length ? userId[(at + Keys.SessionMarker.Length)..] : null;
    }

    private static string? SessionOfJson(string userId)
    {
        try
        {
            using var document = JsonDocument.Parse(userId);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(Keys.SessionId, out var session)
                && session.ValueKind == JsonValueKind.String
                && session.GetString() is { Length: > 0 } id ? id : null;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            return null;                               // not JSON, or a session id that is not text (a lone surrogate)
        }
    }
}

using System.Text.Json;

namespace Bridgekeeper.Providers;

/// <summary>
/// The few shape checks the gateway makes itself, on the fields it reads: a request that fails them gets a clear 400
/// in the provider's shape without an upstream round trip. Everything else is the upstream's to judge.
/// </summary>
internal static class RequestChecks
{
    /// <summary>The longest model name accepted (model names are tens of bytes; this one becomes a record and a metric label).</summary>
    public const int MaxModelBytes = 256;

    /// <summary>The longest Anthropic <c>metadata.user_id</c> read for a session id; a longer one is not read.</summary>
    public const int MaxUserIdBytes = 4096;

    /// <param name="conversation">The conversation field: <c>messages</c> (an array) or <c>input</c>.</param>
    /// <param name="conversationMayBeString">Whether the conversation may also be a plain string (Responses <c>input</c>).</param>
    /// <param name="conversationOptional">Whether the conversation may be absent (a Responses continuation).</param>
    public static GatewayError? Problem(RequestDocument request, JsonSlice conversation, string conversationName, bool conversationMayBeString,
        bool conversationOptional = false) =>
        Describe(request, conversation, conversationName, conversationMayBeString, conversationOptional) is { } problem ? GatewayError.InvalidRequest(problem) : null;

    private static string? Describe(RequestDocument request, JsonSlice conversation, string conversationName, bool conversationMayBeString,
        bool conversationOptional)
    {
        if (request.Model.Token != JsonTokenType.String)
            return "'model' is required and must be a string.";
        if (request.ShortString(request.Model, MaxModelBytes) is null)
            return $"'model' must be at most {MaxModelBytes} bytes long.";
        if (request.Stream.Token is not (JsonTokenType.None or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null))
            return "'stream' must be a boolean.";
        if (conversation.IsNullOrAbsent && conversationOptional)
            return null;
        if (conversation.Token == JsonTokenType.StartArray || (conversationMayBeString && conversation.Token == JsonTokenType.String))
            return null;
        return conversationMayBeString
            ? $"'{conversationName}' is required and must be a string or an array of items."
            : $"'{conversationName}' is required and must be an array.";
    }
}

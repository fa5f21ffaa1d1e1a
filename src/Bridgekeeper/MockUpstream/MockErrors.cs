using System.Text.Json.Nodes;
using K = Bridgekeeper.MockUpstream.MockWireKeys;

namespace Bridgekeeper.MockUpstream;

/// <summary>Error bodies and in-stream error events in each provider's real shape.</summary>
internal static class MockErrors
{
    public const string OpenAIMidStreamMessage = "The server had an error while processing your request.";
    public const string AnthropicMidStreamMessage = "Overloaded";
    public const string ResponsesFailedCode = "server_error";
    public const string ResponsesFailedMessage = "The model failed to generate a response.";

    public static JsonObject OpenAI(string message, string type, string? code, string? param = null) => new()
    {
        [K.Error] = new JsonObject
        {
            [K.Message] = message,
            [K.Type] = type,
            [K.Param] = param,
            [K.Code] = code,
        },
    };

    public static JsonObject Anthropic(string type, string message, bool withRequestId = true)
    {
        var body = new JsonObject
        {
            [K.Type] = K.Error,
            [K.Error] = new JsonObject { [K.Type] = type, [K.Message] = message },
        };
        if (withRequestId)
            body[K.RequestId] = NewAnthropicRequestId();
        return body;
    }

    /// <summary>The body a provider sends with this status (the <c>error_before</c> scenario).</summary>
    public static JsonObject ForStatus(MockProvider provider, int status) => provider switch
    {
        MockProvider.OpenAI => status switch
        {
            400 => OpenAI("Invalid request.", "invalid_request_error", null),
            401 => OpenAI("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
            403 => OpenAI("You are not allowed to sample from this model.", "invalid_request_error", null),
            404 => OpenAI("The model does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"),
            429 => OpenAI("Rate limit reached for requests. Please try again in 7s.", "requests", "rate_limit_exceeded"),
            >= 500 => OpenAI(OpenAIMidStreamMessage, "server_error", null),
            _ => OpenAI($"Mock error with status {status}.", "invalid_request_error", null),
        },
        _ => status switch
        {
            400 => Anthropic("invalid_request_error", "Invalid request."),
            401 => Anthropic("authentication_error", "invalid x-api-key"),
            403 => Anthropic("permission_error", "Your API key does not have permission to use the specified resource."),
            404 => Anthropic("not_found_error", "Not found."),
            413 => Anthropic("request_too_large", "Request exceeds the maximum allowed number of bytes."),
            429 => Anthropic("rate_limit_error", "Number of requests has exceeded your rate limit. Please try again later."),
            529 => Anthropic("overloaded_error", AnthropicMidStreamMessage),
            >= 500 => Anthropic("api_error", "Internal server error"),
            _ => Anthropic("invalid_request_error", $"Mock error with status {status}."),
        },
    };

    public static JsonObject Unauthorized(MockProvider provider, bool missing) => provider switch
    {
        MockProvider.OpenAI => OpenAI(missing
                ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
                : "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
            "invalid_request_error", "invalid_api_key"),
        _ => Anthropic("authentication_error", missing ? "x-api-key header is required" : "invalid x-api-key"),
    };

    public static JsonObject BadRequest(MockProvider provider, string message) => provider switch
    {
        MockProvider.OpenAI => OpenAI(message, "invalid_request_error", null),
        _ => Anthropic("invalid_request_error", message),
    };

    public static JsonObject MalformedJson(MockProvider provider) => BadRequest(provider, provider is MockProvider.OpenAI
        ? "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
        : "messages: request body is not valid JSON");

    public static JsonObject NotFound(MockProvider provider, string method, string path) => provider switch
    {
        MockProvider.OpenAI => OpenAI($"Invalid URL ({method} {path})", "invalid_request_error", null),
        _ => Anthropic("not_found_error", "Not Found"),
    };

    /// <summary>The in-stream error data (no request id, as the real stream events carry none).</summary>
    public static JsonObject MidStream(MockProvider provider) => provider switch
    {
        MockProvider.OpenAI => OpenAI(OpenAIMidStreamMessage, "server_error", null),
        _ => Anthropic("overloaded_error", AnthropicMidStreamMessage, withRequestId: false),
    };

    /// <summary>404 for the model named <see cref="MockModels.MissingModel"/>, in the provider's shape.</summary>
    public static JsonObject ModelNotFound(MockProvider provider, string model) => provider switch
    {
        MockProvider.OpenAI => OpenAI($"The model `{model}` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"),
        _ => Anthropic("not_found_error", $"model: {model}"),
    };

    public static JsonObject ResponseNotFound(string id) => OpenAI($"Response with id '{id}' not found.", "invalid_request_error", null);

    public static JsonObject PreviousResponseNotFound(string id) =>
        OpenAI($"Previous response with id '{id}' not found.", "invalid_request_error", "previous_response_not_found", K.PreviousResponseId);

    public static string NewAnthropicRequestId() => MockText.NewId("req_011C", 20);

    public static string NewOpenAIRequestId() => MockText.NewId("req_", 32);
}

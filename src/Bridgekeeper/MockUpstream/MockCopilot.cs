using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.MockUpstream;

/// <summary>
/// The GitHub Copilot API as the mock serves it under <c>/copilot/</c> (<see cref="MockUpstreamServer.CopilotBaseUrl"/>):
/// OpenAI Chat and Responses without <c>/v1</c> and Anthropic Messages at <c>v1/messages</c>, answered by the usual
/// responders, and a Copilot-shaped <c>GET models</c>. Every route wants the user's own Copilot token in
/// <c>Authorization</c> (<c>Bearer …</c> or <c>token …</c>); none, another scheme, or a key that is the gateway's
/// (<c>bk_…</c>) or a provider account's (<c>sk-…</c>, the mock's expected key) gets 401 in OpenAI's shape, as Copilot
/// answers. What arrived is in the exchange's headers (<see cref="MockExchange.Headers"/>, <c>authorization</c>).
/// </summary>
internal static class MockCopilot
{
    public const string Prefix = "/copilot";

    private static readonly string[] Schemes = ["Bearer ", "token "];
    private static readonly string[] NotCopilotTokens = ["bk_", "sk-"];

    /// <summary>The 401 body when <paramref name="headers"/> carry no usable Copilot token, else null.</summary>
    public static JsonObject? Refusal(IHeaderDictionary headers, string? expectedKey)
    {
        var authorization = headers.Authorization is { Count: 1 } values ? values[0] ?? "" : "";
        var scheme = Array.Find(Schemes, s => authorization.StartsWith(s, StringComparison.Ordinal));
        var token = scheme is null ? "" : authorization[scheme.Length..].Trim();
        if (token.Length == 0)
            return MockErrors.OpenAI("Unauthorized: a GitHub Copilot token is required (Authorization: Bearer TOKEN).", "invalid_request_error", "unauthorized");
        if (Array.Exists(NotCopilotTokens, p => token.StartsWith(p, StringComparison.Ordinal)) || token == expectedKey)
            return MockErrors.OpenAI("Unauthorized: this is not a GitHub Copilot token.", "invalid_request_error", "invalid_token");
        return null;
    }

    /// <summary>What <c>GET /models</c> answers: Copilot's model list, with its capabilities and supported endpoints.</summary>
    public static JsonNode Models() => JsonNode.Parse(ModelList)!;

    private const string ModelList = """
        {"data":[
        {"capabilities":{"family":"gpt-4o","limits":{"max_context_window_tokens":128000,"max_output_tokens":4096,"max_prompt_tokens":64000},"object":"model_capabilities","supports":{"parallel_tool_calls":true,"streaming":true,"tool_calls":true},"tokenizer":"o200k_base","type":"chat"},"id":"gpt-4o","is_chat_default":false,"is_chat_fallback":false,"model_picker_enabled":true,"name":"GPT-4o","object":"model","preview":false,"vendor":"Azure OpenAI","version":"gpt-4o-2024-11-20"},
        {"capabilities":{"family":"gpt-4.1","limits":{"max_context_window_tokens":128000,"max_output_tokens":16384,"max_prompt_tokens":128000},"object":"model_capabilities","supports":{"parallel_tool_calls":true,"streaming":true,"structured_outputs":true,"tool_calls":true},"tokenizer":"o200k_base","type":"chat"},"id":"gpt-4.1","is_chat_default":true,"is_chat_fallback":true,"model_picker_enabled":true,"name":"GPT-4.1","object":"model","preview":false,"supported_endpoints":["/chat/completions","/responses"],"vendor":"Azure OpenAI","version":"gpt-4.1-2025-04-14"},
        {"capabilities":{"family":"claude-sonnet-4.5","limits":{"max_context_window_tokens":144000,"max_output_tokens":16000,"max_prompt_tokens":128000},"object":"model_capabilities","supports":{"parallel_tool_calls":true,"streaming":true,"tool_calls":true},"tokenizer":"o200k_base","type":"chat"},"id":"claude-sonnet-4.5","is_chat_default":false,"is_chat_fallback":false,"model_picker_enabled":true,"name":"Claude Sonnet 4.5","object":"model","preview":false,"supported_endpoints":["/chat/completions","/v1/messages"],"vendor":"Anthropic","version":"claude-sonnet-4.5"}
        ],"object":"list"}
        """;
}

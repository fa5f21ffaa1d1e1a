using Bridgekeeper.Providers;
using Bridgekeeper.Providers.AnthropicMessages;
using Bridgekeeper.Providers.OpenAIChat;
using Bridgekeeper.Providers.OpenAIResponses;
using Bridgekeeper.Providers.Upstreams;
using Bridgekeeper.Providers.Upstreams.Bedrock;
using Yarp.ReverseProxy.Forwarder;

namespace Bridgekeeper.Hosting;

/// <summary>Turns provider settings into <see cref="Provider"/>s with their routes (SPEC §3), dialects and upstreams.</summary>
internal static class ProviderCatalog
{
    public static IReadOnlyList<Provider> Build(IEnumerable<ProviderSettings> settings, HttpMessageInvoker invoker, IHttpForwarder forwarder)
    {
        var openAIChat = new OpenAIChatDialect();
        var openAIResponses = new OpenAIResponsesDialect();
        var anthropic = new AnthropicMessagesDialect();
        return [.. settings.Select(s => s.Type switch
        {
            ProviderTypes.OpenAI => new Provider(s, openAIChat, Upstream(s, invoker, forwarder),
                [new InterceptedRoute("v1/chat/completions", openAIChat), new InterceptedRoute("v1/responses", openAIResponses)],
                [new PassthroughRoute("GET", "v1/models"), new PassthroughRoute("GET", "v1/models/{id}"), new PassthroughRoute("GET", "v1/responses/{id}", OwnedId: true)]),
            ProviderTypes.Anthropic => new Provider(s, anthropic, Upstream(s, invoker, forwarder),
                [new InterceptedRoute("v1/messages", anthropic)],
                [new PassthroughRoute("GET", "v1/models"), new PassthroughRoute("GET", "v1/models/{id}"), new PassthroughRoute("POST", "v1/messages/count_tokens")]),
            ProviderTypes.Bedrock => new Provider(s, anthropic, new BedrockUpstream(s, anthropic, invoker, TimeProvider.System),
                [new InterceptedRoute("v1/messages", anthropic)],
                [new PassthroughRoute("GET", "v1/models"), new PassthroughRoute("GET", "v1/models/{id}"), new PassthroughRoute("POST", "v1/messages/count_tokens")]),
            _ => throw new InvalidOperationException($"Unknown provider type '{s.Type}'."),
        })];
    }

    private static HttpUpstream? Upstream(ProviderSettings settings, HttpMessageInvoker invoker, IHttpForwarder forwarder) =>
        settings.Key is null ? null : new HttpUpstream(settings, Credentials(settings), invoker, forwarder);

    /// <summary>
    /// How each provider type authenticates the gateway: Anthropic by <c>x-api-key</c>, OpenAI by a bearer token and,
    /// when the operator set them, the organization and project the key bills to.
    /// </summary>
    private static IReadOnlyList<KeyValuePair<string, string>> Credentials(ProviderSettings settings)
    {
        var key = settings.Key!;
        if (settings.Type == ProviderTypes.Anthropic)
            return [new("x-api-key", key)];
        List<KeyValuePair<string, string>> headers = [new("Authorization", "Bearer " + key)];
        if (settings.Organization is { } organization)
            headers.Add(new("OpenAI-Organization", organization));
        if (settings.Project is { } project)
            headers.Add(new("OpenAI-Project", project));
        return headers;
    }
}

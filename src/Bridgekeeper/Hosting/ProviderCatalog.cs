using Bridgekeeper.Auth;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.AnthropicMessages;
using Bridgekeeper.Providers.OpenAIChat;
using Bridgekeeper.Providers.OpenAIResponses;
using Bridgekeeper.Providers.Upstreams;
using Bridgekeeper.Providers.Upstreams.Bedrock;
using Yarp.ReverseProxy.Forwarder;

namespace Bridgekeeper.Hosting;

/// <summary>
/// Turns provider settings into <see cref="Provider"/>s with their routes (SPEC §3), dialects and upstreams. A copilot
/// instance has no key and is always served: its upstream forwards each user's own Copilot token.
/// </summary>
internal static class ProviderCatalog
{
    public static IReadOnlyList<Provider> Build(IEnumerable<ProviderSettings> settings, HttpMessageInvoker invoker, IHttpForwarder forwarder,
        UpstreamServices services)
    {
        var openAIChat = new OpenAIChatDialect();
        var openAIResponses = new OpenAIResponsesDialect();
        var anthropic = new AnthropicMessagesDialect();
        return [.. settings.Select(s => Guarded(s.Type switch
        {
            ProviderTypes.OpenAI => new Provider(s, openAIChat, Upstream(s, invoker, forwarder, services),
                [new InterceptedRoute("v1/chat/completions", openAIChat), new InterceptedRoute("v1/responses", openAIResponses)],
                [new PassthroughRoute("GET", "v1/models"), new PassthroughRoute("GET", "v1/models/{id}"), new PassthroughRoute("GET", "v1/responses/{id}", OwnedId: true)]),
            ProviderTypes.Anthropic => new Provider(s, anthropic, Upstream(s, invoker, forwarder, services),
                [new InterceptedRoute("v1/messages", anthropic)],
                [new PassthroughRoute("GET", "v1/models"), new PassthroughRoute("GET", "v1/models/{id}"), new PassthroughRoute("POST", "v1/messages/count_tokens")]),
            ProviderTypes.Bedrock => new Provider(s, anthropic, new BedrockUpstream(s, anthropic, invoker, TimeProvider.System),
                [new InterceptedRoute("v1/messages", anthropic)],
                [new PassthroughRoute("GET", "v1/models"), new PassthroughRoute("GET", "v1/models/{id}"), new PassthroughRoute("POST", "v1/messages/count_tokens")]),
            // Copilot's OpenAI paths have no v1/; every other path passes through, on the user's own credential.
            ProviderTypes.Copilot => new Provider(s, openAIChat, new HttpUpstream(s, UpstreamCredentials.ClientOwn(ApiKey.Prefix), invoker, forwarder),
                [new InterceptedRoute("chat/completions", openAIChat), new InterceptedRoute("responses", openAIResponses), new InterceptedRoute("v1/messages", anthropic)],
                [PassthroughRoute.AnyPath]),
            _ => throw new InvalidOperationException($"Unknown provider type '{s.Type}'."),
        }, services))];
    }

    /// <summary>Puts every upstream, whatever its transport, behind its circuits (<see cref="GuardedUpstream"/>).</summary>
    private static Provider Guarded(Provider provider, UpstreamServices services) =>
        provider.Upstream is { } upstream ? provider with { Upstream = new GuardedUpstream(upstream, provider.Name, services) } : provider;

    private static HttpUpstream? Upstream(ProviderSettings settings, HttpMessageInvoker invoker, IHttpForwarder forwarder, UpstreamServices services) =>
        settings.Keys.Count == 0 ? null
            : new HttpUpstream(settings, UpstreamCredentials.Pool(services.KeyPool(settings.Name, [.. settings.Keys.Select(k => (k, Credentials(settings, k)))])),
                invoker, forwarder);

    /// <summary>
    /// How each provider type authenticates the gateway with one of its keys: Anthropic by <c>x-api-key</c>, OpenAI by
    /// a bearer token and, when the operator set them, the organization and project the key bills to.
    /// </summary>
    private static IReadOnlyList<KeyValuePair<string, string>> Credentials(ProviderSettings settings, string key)
    {
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

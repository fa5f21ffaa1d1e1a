using Bridgekeeper.Providers;
using Bridgekeeper.Providers.AnthropicMessages;
using Bridgekeeper.Providers.OpenAIChat;
using Bridgekeeper.Providers.OpenAIResponses;
using Bridgekeeper.Providers.Upstreams;

namespace Bridgekeeper.Hosting;

/// <summary>Turns provider settings into <see cref="Provider"/>s with their routes (SPEC §3), dialects and upstreams.</summary>
internal static class ProviderCatalog
{
    public static IReadOnlyList<Provider> Build(IEnumerable<ProviderSettings> settings, HttpMessageInvoker invoker)
    {
        var openAIChat = new OpenAIChatDialect();
        var openAIResponses = new OpenAIResponsesDialect();
        var anthropic = new AnthropicMessagesDialect();
        return [.. settings.Select(s => s.Type switch
        {
            ProviderTypes.OpenAI => new Provider(s, openAIChat, Upstream(s, invoker),
                [new InterceptedRoute("v1/chat/completions", openAIChat), new InterceptedRoute("v1/responses", openAIResponses)],
                [new PassthroughRoute("GET", "v1/models"), new PassthroughRoute("GET", "v1/models/{id}"), new PassthroughRoute("GET", "v1/responses/{id}", OwnedId: true)]),
            ProviderTypes.Anthropic => new Provider(s, anthropic, Upstream(s, invoker),
                [new InterceptedRoute("v1/messages", anthropic)],
                [new PassthroughRoute("GET", "v1/models"), new PassthroughRoute("GET", "v1/models/{id}"), new PassthroughRoute("POST", "v1/messages/count_tokens")]),
            _ => throw new InvalidOperationException($"Unknown provider type '{s.Type}'."),
        })];
    }

    private static HttpUpstream? Upstream(ProviderSettings settings, HttpMessageInvoker invoker) =>
        settings.Key is null ? null : new HttpUpstream(settings, invoker);
}

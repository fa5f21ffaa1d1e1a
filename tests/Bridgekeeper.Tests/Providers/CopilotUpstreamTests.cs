using System.Net;
using System.Text;
using Bridgekeeper.Hosting;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.Upstreams;
using Bridgekeeper.Tests.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Bridgekeeper.Tests.Providers;

/// <summary>
/// A copilot instance as the catalog builds it: its routes (OpenAI paths without <c>v1/</c>, Anthropic Messages, a
/// catch-all passthrough), an upstream although it has no key, and the credential upstream being the client's own
/// <c>Authorization</c>, exactly as sent, on intercepted and passthrough requests alike; never a Bridgekeeper key, never
/// <c>x-api-key</c>. Every other provider type still sends only the gateway's key.
/// </summary>
public sealed class CopilotUpstreamTests
{
    private static readonly TestUpstreamServices Services = new();

    private static readonly RequestFacts Facts = new("gpt-4o", Stream: false, null, null, ClientWantsUsage: true);

    private static Provider Build(Recorder handler, string type = ProviderTypes.Copilot)
    {
        var settings = type == ProviderTypes.Copilot
            ? new ProviderSettings("copilot", type, null, new Uri("https://api.individual.githubcopilot.com/"))
            : new ProviderSettings(type, type, "sk-gateway", new Uri("https://up.example/v1/"));
        return ProviderCatalog.Build([settings], new HttpMessageInvoker(handler), TestForwarder.Instance, Services.Services)[0];
    }

    private static UpstreamRequest Request(string path, string? authorization, params (string, string)[] headers) =>
        new(path, "", "{}"u8.ToArray(), [.. headers.Select(h => new KeyValuePair<string, StringValues>(h.Item1, h.Item2))])
        {
            ClientAuthorization = authorization,
        };

    [Fact]
    public void Catalog_Copilot_ChatResponsesMessagesIntercepted_EverythingElsePassesThrough_OpenAIErrors()
    {
        var provider = Build(new Recorder());

        Assert.Equal([("chat/completions", "openai-chat"), ("responses", "openai-responses"), ("v1/messages", "anthropic-messages")],
            provider.Intercepted.Select(r => (r.Path, r.Dialect.Name)));
        var route = Assert.Single(provider.Passthrough);
        Assert.True(route.IsAnyPath);
        Assert.Equal("{**path}", route.Pattern);
        Assert.Equal("openai-chat", provider.ErrorDialect.Name);
        Assert.IsType<GuardedUpstream>(provider.Upstream);
    }

    [Theory]
    [InlineData("chat/completions", "Bearer tid=abc;exp=1760000000;sku=copilot_for_business:0c", "https://api.individual.githubcopilot.com/chat/completions")]
    [InlineData("responses", "token ghu_16C7e42F292c6912E7710c838347Ae178B4a", "https://api.individual.githubcopilot.com/responses")]
    [InlineData("v1/messages", "Bearer  spaced  token ", "https://api.individual.githubcopilot.com/v1/messages")]
    public async Task Send_Copilot_TheClientsAuthorizationExactlyAsSent_NoOtherCredential(string path, string authorization, string uri)
    {
        var handler = new Recorder();

        using var _ = (await Build(handler).Upstream!.SendAsync(Request(path, authorization, ("Authorization", "Bearer bk_dropped"), ("x-api-key", "bk_user"),
            ("User-Agent", "GitHubCopilotChat/0.26"), ("Copilot-Integration-Id", "vscode-chat")), Facts, CancellationToken.None)).Exchange!;

        var sent = Assert.Single(handler.Sent);
        Assert.Equal(uri, sent.Uri);
        Assert.Equal([authorization], sent.Headers["Authorization"]);
        Assert.False(sent.Headers.ContainsKey("x-api-key"));
        Assert.Equal(["vscode-chat"], sent.Headers["Copilot-Integration-Id"]);
    }

    [Theory]
    [InlineData("Bearer bk_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg")]
    [InlineData("bearer bk_x")]
    [InlineData("bk_x")]
    [InlineData(null)]
    public async Task Send_Copilot_NoClientAuthorizationOrABridgekeeperKey_GoesWithoutAuthorization(string? authorization)
    {
        var handler = new Recorder(HttpStatusCode.Unauthorized);

        using var exchange = (await Build(handler).Upstream!.SendAsync(Request("chat/completions", authorization), Facts, CancellationToken.None)).Exchange!;

        Assert.Equal(401, exchange.Status);
        var sent = Assert.Single(handler.Sent);
        Assert.False(sent.Headers.ContainsKey("Authorization"));
        Assert.False(sent.Headers.ContainsKey("x-api-key"));
    }

    [Fact]
    public async Task Send_OpenAI_IgnoresTheClientsAuthorization_SendsOnlyTheGatewaysKey()
    {
        var handler = new Recorder();

        using var _ = (await Build(handler, ProviderTypes.OpenAI).Upstream!.SendAsync(Request("v1/chat/completions", "token ghu_client"), Facts,
            CancellationToken.None)).Exchange!;

        Assert.Equal(["Bearer sk-gateway"], Assert.Single(handler.Sent).Headers["Authorization"]);
    }

    [Theory]
    [InlineData(ProviderTypes.Copilot, "token ghu_client", "token ghu_client")]
    [InlineData(ProviderTypes.Copilot, "Bearer bk_user", null)]
    [InlineData(ProviderTypes.OpenAI, "token ghu_client", "Bearer sk-gateway")]
    public async Task Forward_Passthrough_CopilotForwardsTheClientsAuthorization_OthersTheGatewaysKey(string type, string authorization, string? expected)
    {
        var handler = new Recorder();
        var http = new DefaultHttpContext();
        http.Request.Method = "GET";
        http.Request.Headers.Authorization = authorization;
        http.Request.Headers["x-api-key"] = "bk_user";
        http.Response.Body = new MemoryStream();

        var failure = await Build(handler, type).Upstream!.ForwardAsync(http, type == ProviderTypes.Copilot ? "models" : "v1/models", "?x=1");

        Assert.Null(failure);
        Assert.Equal(200, http.Response.StatusCode);
        var sent = Assert.Single(handler.Sent);
        Assert.Equal(type == ProviderTypes.Copilot ? "https://api.individual.githubcopilot.com/models?x=1" : "https://up.example/v1/models?x=1", sent.Uri);
        Assert.Equal(expected, sent.Headers.TryGetValue("Authorization", out var values) ? Assert.Single(values) : null);
        Assert.False(sent.Headers.ContainsKey("x-api-key"));
    }

    [Fact]
    public void ClientAuthorization_OneValueAsSent_NoneOrSeveralIsNull()
    {
        Assert.Equal("token  ghu_x ", UpstreamCredentials.ClientAuthorization(new HeaderDictionary { ["Authorization"] = "token  ghu_x " }));
        Assert.Null(UpstreamCredentials.ClientAuthorization(new HeaderDictionary()));
        Assert.Null(UpstreamCredentials.ClientAuthorization(new HeaderDictionary { ["Authorization"] = new StringValues(["Bearer a", "Bearer b"]) }));
    }

    /// <summary>What the handler received (URI and headers as they would go on the wire); answers with the given status.</summary>
    private sealed class Recorder(HttpStatusCode status = HttpStatusCode.OK) : HttpMessageHandler
    {
        public List<(string Uri, Dictionary<string, string[]> Headers)> Sent { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Sent.Add((request.RequestUri!.AbsoluteUri, request.Headers.NonValidated.ToDictionary(h => h.Key, h => h.Value.ToArray(), StringComparer.OrdinalIgnoreCase)));
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent("{}", Encoding.UTF8, "application/json") });
        }
    }
}

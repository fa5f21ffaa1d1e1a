using System.Net;
using Bridgekeeper.MockUpstream;

namespace Bridgekeeper.Tests.MockUpstream;

/// <summary>
/// The mock's Copilot API: the usual responders under <c>/copilot/</c> (OpenAI paths without <c>v1/</c>), a Copilot
/// model list, and the user's own Copilot token required: anything else is 401 in OpenAI's shape, as Copilot answers.
/// </summary>
public sealed class CopilotMockTests : IAsyncLifetime
{
    private const string Token = "Bearer tid=abc;exp=1760000000;sku=copilot_for_individual";
    private MockHarness _mock = null!;

    public async ValueTask InitializeAsync() => _mock = await MockHarness.StartAsync(new MockUpstreamOptions { ExpectedKey = MockHarness.Key });

    public async ValueTask DisposeAsync() => await _mock.DisposeAsync();

    [Theory]
    [InlineData("copilot/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""", "chat.completion")]
    [InlineData("copilot/responses", """{"model":"gpt-4.1","input":"hi"}""", "response")]
    [InlineData("copilot/v1/messages", """{"model":"claude-sonnet-4.5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""", "message")]
    public async Task Completions_WithACopilotToken_AnsweredByTheUsualResponder(string path, string body, string kind)
    {
        var (response, text) = await _mock.SendAsync(MockHarness.Post(path, body, ("Authorization", Token)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = MockHarness.Json(text);
        Assert.Equal(kind, json.TryGetProperty("object", out var type) ? type.GetString() : json.GetProperty("type").GetString());
        Assert.Equal(Token, (await _mock.SingleExchangeAsync()).Headers["authorization"]);
    }

    [Fact]
    public async Task Models_ACopilotModelList()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "copilot/models");
        request.Headers.TryAddWithoutValidation("Authorization", "token ghu_abc");

        var (response, text) = await _mock.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var first = MockHarness.Json(text).GetProperty("data")[0];
        Assert.Equal(("gpt-4o", "Azure OpenAI", "chat"), (first.GetProperty("id").GetString(), first.GetProperty("vendor").GetString(),
            first.GetProperty("capabilities").GetProperty("type").GetString()));
    }

    [Theory]
    [InlineData(null, "unauthorized")]
    [InlineData("Basic dXNlcjpwYXNz", "unauthorized")]
    [InlineData("Bearer ", "unauthorized")]
    [InlineData("Bearer bk_gateway-key", "invalid_token")]
    [InlineData("Bearer sk-upstream-openai-secret", "invalid_token")]
    [InlineData("token " + MockHarness.Key, "invalid_token")]
    public async Task NoCopilotToken_401InOpenAIShape(string? authorization, string code)
    {
        var request = MockHarness.Post("copilot/chat/completions", """{"model":"gpt-4o","messages":[]}""");
        if (authorization is not null)
            request.Headers.TryAddWithoutValidation("Authorization", authorization);

        var (response, text) = await _mock.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = MockHarness.Json(text).GetProperty("error");
        Assert.Equal((code, "invalid_request_error"), (error.GetProperty("code").GetString(), error.GetProperty("type").GetString()));
    }
}

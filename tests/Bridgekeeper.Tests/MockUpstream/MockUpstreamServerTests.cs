using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Bridgekeeper.MockUpstream;

namespace Bridgekeeper.Tests.MockUpstream;

public sealed class MockUpstreamServerTests
{
    private const string OpenAIStream = """{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task StartAsync_PortZero_BindsRealPortAndBaseUrls()
    {
        await using var mock = await MockHarness.StartAsync();

        Assert.NotEqual(0, mock.Server.Url.Port);
        Assert.Equal(new Uri(mock.Server.Url, "openai/v1/"), mock.Server.OpenAIBaseUrl);
        Assert.EndsWith("/anthropic/", mock.Server.AnthropicBaseUrl.AbsoluteUri);
    }

    [Theory]
    [InlineData("openai/v1/chat/completions", null, "invalid_api_key")]
    [InlineData("anthropic/v1/messages", null, "authentication_error")]
    [InlineData("openai/v1/chat/completions", "Bearer wrong", "invalid_api_key")]
    [InlineData("anthropic/v1/models", null, "authentication_error")]
    public async Task Auth_MissingOrWrongKey_Returns401InProviderShape(string path, string? authorization, string expected)
    {
        await using var mock = await MockHarness.StartAsync(new MockUpstreamOptions { ExpectedKey = MockHarness.Key });
        using var request = new HttpRequestMessage(path.EndsWith("models") ? HttpMethod.Get : HttpMethod.Post, path)
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };
        if (authorization is not null)
            request.Headers.TryAddWithoutValidation("Authorization", authorization);

        var (response, body) = await mock.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(expected, body);
    }

    [Fact]
    public async Task UnknownPath_Returns404InProviderShape()
    {
        await using var mock = await MockHarness.StartAsync();

        var (openai, openaiBody) = await mock.SendAsync(new HttpRequestMessage(HttpMethod.Get, "openai/v1/nothing.txt"));
        var (anthropic, anthropicBody) = await mock.SendAsync(new HttpRequestMessage(HttpMethod.Get, "anthropic/v1/nothing"));

        Assert.Equal(HttpStatusCode.NotFound, openai.StatusCode);
        Assert.Equal("Invalid URL (GET /openai/v1/nothing.txt)", MockHarness.Json(openaiBody).GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, anthropic.StatusCode);
        Assert.Equal("not_found_error", MockHarness.Json(anthropicBody).GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Models_BothProviders_ReturnListShapes()
    {
        await using var mock = await MockHarness.StartAsync();
        using var openai = new HttpRequestMessage(HttpMethod.Get, "openai/v1/models");
        openai.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MockHarness.Key);
        using var anthropic = new HttpRequestMessage(HttpMethod.Get, "anthropic/v1/models/claude-x");
        anthropic.Headers.Add("x-api-key", MockHarness.Key);

        var (_, openaiBody) = await mock.SendAsync(openai);
        var (_, anthropicBody) = await mock.SendAsync(anthropic);

        Assert.Equal("list", MockHarness.Json(openaiBody).GetProperty("object").GetString());
        Assert.Equal("model", MockHarness.Json(openaiBody).GetProperty("data")[0].GetProperty("object").GetString());
        Assert.Equal("claude-x", MockHarness.Json(anthropicBody).GetProperty("id").GetString());
        Assert.Equal("model", MockHarness.Json(anthropicBody).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Exchange_Stream_CapturesRequestAndExactResponseBytes()
    {
        await using var mock = await MockHarness.StartAsync();
        using var request = MockHarness.AnthropicMessages("""{"model":"m","stream":true}""", ("x-mock-scenario", "thinking"));
        var ct = TestContext.Current.CancellationToken;

        using var response = await mock.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        var exchange = await mock.SingleExchangeAsync();

        Assert.Equal(bytes, exchange.ResponseBody);
        Assert.Equal(200, exchange.Status);
        Assert.False(exchange.Aborted);
        Assert.Equal("POST", exchange.Method);
        Assert.Equal("/anthropic/v1/messages", exchange.Path);
        Assert.Equal("?beta=true", exchange.QueryString);
        Assert.Equal(MockHarness.Key, exchange.Headers["x-api-key"]);
        Assert.Equal("""{"model":"m","stream":true}""", Encoding.UTF8.GetString(exchange.RequestBody));
        mock.Server.ClearExchanges();
        Assert.Empty(mock.Server.Exchanges);
    }

    [Fact]
    public async Task Exchange_CaptureOff_RecordsNothing()
    {
        await using var mock = await MockHarness.StartAsync(new MockUpstreamOptions { CaptureExchanges = false });

        var (response, _) = await mock.SendAsync(MockHarness.OpenAIChat(OpenAIStream));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(mock.Server.Exchanges);
    }

    [Fact]
    public async Task Hang_ClientAborts_ExchangeMarkedAborted()
    {
        await using var mock = await MockHarness.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var response = await mock.Client.SendAsync(MockHarness.OpenAIChat(OpenAIStream, ("x-mock-scenario", "hang")),
            HttpCompletionOption.ResponseHeadersRead, ct);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));

        var first = await reader.ReadLineAsync(ct);
        var exchange = Assert.Single(mock.Server.Exchanges);
        Assert.StartsWith("data: ", first);
        Assert.False(exchange.Completed.IsCompleted);
        response.Dispose();
        await exchange.Completed.WaitAsync(TimeSpan.FromSeconds(10), ct);

        Assert.True(exchange.Aborted);
    }

    [Fact]
    public async Task Hang_ServerDisposed_EndsPromptly()
    {
        var mock = await MockHarness.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        using var response = await mock.Client.SendAsync(MockHarness.AnthropicMessages("""{"stream":true}""", ("x-mock-scenario", "hang")),
            HttpCompletionOption.ResponseHeadersRead, ct);

        await mock.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct);

        Assert.True(mock.Server.Exchanges[0].Completed.IsCompleted);
    }

    [Fact]
    public async Task ChunkDelay_Stream_DeliversFirstEventBeforeTheEnd()
    {
        await using var mock = await MockHarness.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        using var response = await mock.Client.SendAsync(MockHarness.OpenAIChat(OpenAIStream, ("x-mock-chunk-delay-ms", "200")),
            HttpCompletionOption.ResponseHeadersRead, ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));

        var first = await reader.ReadLineAsync(ct);

        Assert.StartsWith("data: {", first);
        Assert.False(mock.Server.Exchanges[0].Completed.IsCompleted);
        Assert.EndsWith("data: [DONE]\n\n", await reader.ReadToEndAsync(ct));
    }

    [Fact]
    public async Task LineEnding_Crlf_FramesUseCrlfOnly()
    {
        await using var mock = await MockHarness.StartAsync();

        var (_, body) = await mock.SendAsync(MockHarness.AnthropicMessages("""{"stream":true}""", ("x-mock-line-ending", "crlf")));

        Assert.StartsWith("event: message_start\r\ndata: {", body);
        Assert.EndsWith("event: message_stop\r\ndata: {\"type\":\"message_stop\"}\r\n\r\n", body);
        Assert.DoesNotContain("\n", body.Replace("\r\n", ""));
    }

    [Fact]
    public async Task Controls_UnknownScenario_Returns400()
    {
        await using var mock = await MockHarness.StartAsync();

        var (response, body) = await mock.SendAsync(MockHarness.OpenAIChat(OpenAIStream, ("x-mock-scenario", "tool-call")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("x-mock-scenario", body);
    }

    [Theory]
    [InlineData("chat", """{"error":{"message":"The model `does-not-exist` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}""")]
    [InlineData("responses", """{"error":{"message":"The model `does-not-exist` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}""")]
    [InlineData("messages", """{"type":"error","error":{"type":"not_found_error","message":"model: does-not-exist"},"request_id":"req_""")]
    public async Task Completion_DoesNotExistModel_Returns404InProviderShape(string api, string expected)
    {
        await using var mock = await MockHarness.StartAsync();
        const string body = """{"model":"does-not-exist","stream":true,"input":"hi","messages":[{"role":"user","content":"hi"}]}""";

        var (response, text) = await mock.SendAsync(api switch
        {
            "chat" => MockHarness.OpenAIChat(body),
            "responses" => MockHarness.OpenAIResponses(body),
            _ => MockHarness.AnthropicMessages(body),
        });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith(expected, text);
    }

    [Theory]
    [InlineData("chat")]
    [InlineData("messages")]
    [InlineData("responses")]
    public async Task Cut_Blocking_SendsHalfTheJsonBody(string api)
    {
        await using var mock = await MockHarness.StartAsync();
        const string body = """{"model":"m","input":"hi","messages":[{"role":"user","content":"hi"}]}""";

        var (response, text) = await mock.SendAsync(api switch
        {
            "chat" => MockHarness.OpenAIChat(body, ("x-mock-scenario", "cut")),
            "responses" => MockHarness.OpenAIResponses(body, ("x-mock-scenario", "cut")),
            _ => MockHarness.AnthropicMessages(body, ("x-mock-scenario", "cut")),
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("{", text);
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => MockHarness.Json(text));
    }

    [Theory]
    [InlineData("127.0.0.1:0", "127.0.0.1", 0)]
    [InlineData("localhost:8090", "127.0.0.1", 8090)]
    [InlineData("http://0.0.0.0:80/", "0.0.0.0", 80)]
    [InlineData("[::1]:9000", "::1", 9000)]
    public void ParseAddress_Forms_ReturnsAddressAndPort(string text, string address, int port)
    {
        var (parsedAddress, parsedPort) = MockUpstreamServer.ParseAddress(text);

        Assert.Equal(IPAddress.Parse(address), parsedAddress);
        Assert.Equal(port, parsedPort);
    }
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bridgekeeper.MockUpstream;
using Bridgekeeper.Streaming;

namespace Bridgekeeper.Tests.MockUpstream;

/// <summary>
/// The Bedrock stand-in over real HTTP. Requests are signed here by <see cref="ReferenceSigner"/>, a second SigV4
/// written from the specification (it encodes with <see cref="Uri.EscapeDataString(string)"/>, not the mock's encoder).
/// </summary>
public sealed class BedrockMockTests : IAsyncLifetime
{
    private const string Model = "anthropic.claude-sonnet-4-5-20250929-v1:0";
    private const string WireModel = "anthropic.claude-sonnet-4-5-20250929-v1%3A0";
    private const string Body = """{"anthropic_version":"bedrock-2023-05-31","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}""";
    private static readonly MockBedrockOptions Account = new();
    private MockHarness _mock = null!;

    public async ValueTask InitializeAsync() => _mock = await MockHarness.StartAsync();

    public async ValueTask DisposeAsync() => await _mock.DisposeAsync();

    [Theory]
    [InlineData("model/" + WireModel + "/invoke")]
    [InlineData("bedrock/model/" + WireModel + "/invoke")]
    [InlineData("bedrock/model/" + Model + "/invoke")]
    public async Task Invoke_SignedByTheReference_AnswersTheMessageWithTokenHeaders(string path)
    {
        var request = Signed(path, Body, headers: [("x-mock-usage", "input=100,output=20,cache_read=30,cache_write=10"), ("x-mock-text", "Hi there.")]);

        var (response, body) = await _mock.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("100", Header(response, BedrockEndpoints.InputTokensHeader));
        Assert.Equal("20", Header(response, BedrockEndpoints.OutputTokensHeader));
        Assert.Equal("30", Header(response, BedrockEndpoints.CacheReadTokensHeader));
        Assert.Equal("10", Header(response, BedrockEndpoints.CacheWriteTokensHeader));
        Assert.NotNull(Header(response, BedrockError.RequestIdHeader));
        Assert.False(response.Headers.Contains(MockEndpoints.OpenAIOrganizationHeader));
        var message = MockHarness.Json(body);
        Assert.Equal("message", message.GetProperty("type").GetString());
        Assert.Equal(Model, message.GetProperty("model").GetString());
        Assert.Equal("Hi there.", message.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(100, message.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(30, message.GetProperty("usage").GetProperty("cache_read_input_tokens").GetInt32());

        var exchange = await _mock.SingleExchangeAsync();
        Assert.Equal("/" + path, exchange.RawPath);
        Assert.Equal(Body, Encoding.UTF8.GetString(exchange.RequestBody));
        Assert.Contains("SignedHeaders=host;x-amz-date,", exchange.Headers["authorization"]);
    }

    [Theory]
    [InlineData("us.anthropic.claude-sonnet-4-5-20250929-v1%3A0")]
    [InlineData("global.anthropic.claude-opus-4-6-v1")]
    [InlineData("arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-haiku-4-5-20251001-v1%3A0")]
    public async Task Invoke_ProfilesAndArns_AreOneSegmentDecodedOnce(string wireModel)
    {
        var (response, body) = await _mock.SendAsync(Signed($"bedrock/model/{wireModel}/invoke", Body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Uri.UnescapeDataString(wireModel), MockHarness.Json(body).GetProperty("model").GetString());
        Assert.Equal($"/bedrock/model/{wireModel}/invoke", (await _mock.SingleExchangeAsync()).RawPath);
    }

    public static TheoryData<string, string, string> SigningFaults => new()
    {
        { "wrong secret", BedrockError.InvalidSignature, "The Canonical String for this request should have been" },
        { "changed body", BedrockError.InvalidSignature, "signature we calculated does not match" },
        { "changed signed header", BedrockError.InvalidSignature, "signature we calculated does not match" },
        { "path encoded once", BedrockError.InvalidSignature, "/model/anthropic.claude-sonnet-4-5-20250929-v1%253A0/invoke" },
        { "signed 6 minutes ago", BedrockError.InvalidSignature, "Signature expired: " },
        { "signed 6 minutes ahead", BedrockError.InvalidSignature, "Signature not yet current: " },
        { "service bedrock-runtime", BedrockError.InvalidSignature, "Credential should be scoped to correct service: 'bedrock'." },
        { "region eu-west-1", BedrockError.InvalidSignature, "Credential should be scoped to a valid region" },
        { "host not signed", BedrockError.InvalidSignature, "'Host' or ':authority' must be a 'SignedHeader'" },
        { "unknown access key", BedrockError.UnrecognizedClient, "The security token included in the request is invalid." },
        { "unexpected session token", BedrockError.UnrecognizedClient, "The security token included in the request is invalid." },
        { "no authorization", BedrockError.MissingAuthenticationToken, "Missing Authentication Token" },
        { "no x-amz-date", BedrockError.IncompleteSignature, "'X-Amz-Date'" },
        { "not sigv4", BedrockError.IncompleteSignature, "AWS4-HMAC-SHA256" },
    };

    [Theory]
    [MemberData(nameof(SigningFaults))]
    public async Task Invoke_SigningFault_Is403WithTheServiceErrorType(string fault, string type, string message)
    {
        var now = DateTimeOffset.UtcNow;
        var request = fault switch
        {
            "wrong secret" => Signed($"model/{WireModel}/invoke", Body, account: Account with { SecretAccessKey = "wrong" + Account.SecretAccessKey[5..] }),
            "changed body" => Resend(Signed($"model/{WireModel}/invoke", Body), Body.Replace("100", "101", StringComparison.Ordinal)),
            "changed signed header" => Tamper(Signed($"model/{WireModel}/invoke", Body, headers: [("x-trace", "a")], signed: ["x-trace"]), "x-trace", "b"),
            "path encoded once" => Signed($"model/{WireModel}/invoke", Body, encodeOnce: true),
            "signed 6 minutes ago" => Signed($"model/{WireModel}/invoke", Body, at: now.AddMinutes(-6)),
            "signed 6 minutes ahead" => Signed($"model/{WireModel}/invoke", Body, at: now.AddMinutes(6)),
            "service bedrock-runtime" => Signed($"model/{WireModel}/invoke", Body, service: "bedrock-runtime"),
            "region eu-west-1" => Signed($"model/{WireModel}/invoke", Body, account: Account with { Region = "eu-west-1" }),
            "host not signed" => Signed($"model/{WireModel}/invoke", Body, signHost: false),
            "unknown access key" => Signed($"model/{WireModel}/invoke", Body, account: Account with { AccessKeyId = "AKIAUNKNOWN000000000" }),
            "unexpected session token" => Signed($"model/{WireModel}/invoke", Body, account: Account with { SessionToken = "token" }),
            "no authorization" => Strip(Signed($"model/{WireModel}/invoke", Body), "Authorization"),
            "no x-amz-date" => Strip(Signed($"model/{WireModel}/invoke", Body), "X-Amz-Date"),
            "not sigv4" => Replace(Signed($"model/{WireModel}/invoke", Body), "Authorization", "Bearer abc"),
            _ => throw new ArgumentException(fault, nameof(fault)),
        };

        var (response, body) = await _mock.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal($"{type}:http://internal.amazon.com/coral/com.amazon.coral.service/", Header(response, BedrockError.ErrorTypeHeader));
        Assert.Contains(message, MockHarness.Json(body).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Invoke_SignatureMismatch_NamesTheDoubleEncodedCanonicalRequestAndBodyHash()
    {
        var (_, body) = await _mock.SendAsync(Signed($"model/{WireModel}/invoke", Body, account: Account with { SecretAccessKey = "x" }));

        var message = MockHarness.Json(body).GetProperty("message").GetString()!;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Body)));
        Assert.Contains($"'POST\n/model/anthropic.claude-sonnet-4-5-20250929-v1%253A0/invoke\n\nhost:{_mock.Server.Url.Authority}\nx-amz-date:", message);
        Assert.Contains($"\n\nhost;x-amz-date\n{hash}'", message);
        Assert.Contains("The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n", message);
    }

    [Fact]
    public async Task Invoke_TemporaryCredentials_NeedTheirToken()
    {
        var temporary = Account with { SessionToken = "FwoGZXIvYXdzEMockSessionToken" };
        await using var mock = await MockHarness.StartAsync(new MockUpstreamOptions { Bedrock = temporary });

        var (without, _) = await mock.SendAsync(Signed($"model/{WireModel}/invoke", Body, account: temporary with { SessionToken = null }, to: mock));
        var (wrong, _) = await mock.SendAsync(Signed($"model/{WireModel}/invoke", Body, account: temporary with { SessionToken = "other" }, to: mock));
        var (right, _) = await mock.SendAsync(Signed($"model/{WireModel}/invoke", Body, account: temporary, to: mock));

        Assert.Equal(HttpStatusCode.Forbidden, without.StatusCode);
        Assert.StartsWith(BedrockError.UnrecognizedClient + ":", Header(without, BedrockError.ErrorTypeHeader));
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact]
    public async Task Invoke_MockClockAhead_RefusesANowSignature()
    {
        await using var mock = await MockHarness.StartAsync(new MockUpstreamOptions { Bedrock = Account with { ClockOffset = TimeSpan.FromMinutes(10) } });

        var (response, body) = await mock.SendAsync(Signed($"model/{WireModel}/invoke", Body, to: mock));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.StartsWith("Signature expired: ", MockHarness.Json(body).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Invoke_OtherCredentialsConfigured_AcceptsOnlyThem()
    {
        var other = new MockBedrockOptions { AccessKeyId = "AKIAOTHER00000000000", SecretAccessKey = "s3cr3t", Region = "eu-central-1" };
        await using var mock = await MockHarness.StartAsync(new MockUpstreamOptions { Bedrock = other });

        var (defaults, _) = await mock.SendAsync(Signed($"model/{WireModel}/invoke", Body, to: mock));
        var (configured, _) = await mock.SendAsync(Signed($"model/{WireModel}/invoke", Body, account: other, to: mock));

        Assert.Equal(HttpStatusCode.Forbidden, defaults.StatusCode);
        Assert.Equal(HttpStatusCode.OK, configured.StatusCode);
    }

    public static TheoryData<string, string, string> RefusedBodies => new()
    {
        { Model, """{"model":"x","anthropic_version":"bedrock-2023-05-31","max_tokens":1,"messages":[]}""", "extraneous key [model] is not permitted" },
        { Model, """{"stream":true,"anthropic_version":"bedrock-2023-05-31","max_tokens":1,"messages":[]}""", "extraneous key [stream] is not permitted" },
        { Model, """{"max_tokens":1,"messages":[]}""", "required key [anthropic_version] not found" },
        { Model, """{"anthropic_version":"2023-06","max_tokens":1,"messages":[]}""", "anthropic_version" },
        { Model, """{"anthropic_version":"bedrock-2023-05-31","metadata":{"user_id":"u"},"max_tokens":1,"messages":[]}""", "metadata: Extra inputs are not permitted" },
        { Model, """{"anthropic_version":"bedrock-2023-05-31","service_tier":"auto","max_tokens":1,"messages":[]}""", "service_tier: Extra inputs are not permitted" },
        { Model, """{"anthropic_version":"bedrock-2023-05-31","container":"c","max_tokens":1,"messages":[]}""", "container: Extra inputs are not permitted" },
        { Model, """{"anthropic_version":"bedrock-2023-05-31","inference_geo":"us","max_tokens":1,"messages":[]}""", "inference_geo: Extra inputs are not permitted" },
        { Model, """{"anthropic_version":"bedrock-2023-05-31","anthropic_beta":["claude-code-20250219"],"max_tokens":1,"messages":[]}""", "invalid beta flag" },
        { Model, """{"anthropic_version":"bedrock-2023-05-31","anthropic_beta":"context-1m-2025-08-07","max_tokens":1,"messages":[]}""", "anthropic_beta" },
        { "anthropic.claude-opus-4-5-20251101-v1:0", """{"anthropic_version":"bedrock-2023-05-31","output_config":{"effort":"low"},"max_tokens":1,"messages":[]}""", "output_config: Extra inputs" },
        { Model, """{"anthropic_version":"bedrock-2023-05-31","anthropic_beta":["effort-2025-11-24"],"output_config":{"effort":"low"},"max_tokens":1,"messages":[]}""", "output_config: Extra inputs" },
        { Model, """{"anthropic_version":"bedrock-2023-05-31","context_management":{},"max_tokens":1,"messages":[]}""", "context_management: Extra inputs" },
        { "anthropic.claude-opus-4-1-20250805-v1:0", """{"anthropic_version":"bedrock-2023-05-31","anthropic_beta":["context-management-2025-06-27"],"context_management":{},"max_tokens":1,"messages":[]}""", "context_management: Extra inputs" },
        { Model, """{"anthropic_version":"bedrock-2023-05-31","thinking":{"type":"adaptive"},"max_tokens":2000,"messages":[]}""", "'adaptive'" },
        { "us.anthropic.claude-3-7-sonnet-20250219-v1:0", """{"anthropic_version":"bedrock-2023-05-31","thinking":{"type":"adaptive"},"max_tokens":2000,"messages":[]}""", "'adaptive'" },
        { Model, """[1,2]""", "Malformed input request" },
        { MockModels.MissingModel, Body, "The provided model identifier is invalid." },
    };

    [Theory]
    [MemberData(nameof(RefusedBodies))]
    public async Task Invoke_BodyBedrockRefuses_Is400ValidationException(string model, string body, string message)
    {
        var (response, answer) = await _mock.SendAsync(Signed($"model/{Uri.EscapeDataString(model)}/invoke", body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/", Header(response, BedrockError.ErrorTypeHeader));
        Assert.Contains(message, MockHarness.Json(answer).GetProperty("message").GetString());
    }

    public static TheoryData<string, string> AcceptedBodies => new()
    {
        { Model, """{"anthropic_version":"2023-06-01","max_tokens":1,"messages":[]}""" },
        { Model, """{"anthropic_version":"bedrock-2023-05-31","anthropic_beta":["interleaved-thinking-2025-05-14","context-1m-2025-08-07"],"max_tokens":1,"messages":[]}""" },
        { "anthropic.claude-opus-4-5-20251101-v1:0", """{"anthropic_version":"bedrock-2023-05-31","anthropic_beta":["effort-2025-11-24"],"output_config":{"effort":"low"},"max_tokens":1,"messages":[]}""" },
        { "anthropic.claude-haiku-4-5-20251001-v1:0", """{"anthropic_version":"bedrock-2023-05-31","anthropic_beta":["context-management-2025-06-27"],"context_management":{},"max_tokens":1,"messages":[]}""" },
        { "global.anthropic.claude-opus-4-6-v1", """{"anthropic_version":"bedrock-2023-05-31","thinking":{"type":"adaptive"},"max_tokens":2000,"messages":[]}""" },
        { Model, """{"anthropic_version":"bedrock-2023-05-31","thinking":{"type":"enabled","budget_tokens":1024},"max_tokens":2000,"messages":[]}""" },
    };

    [Theory]
    [MemberData(nameof(AcceptedBodies))]
    public async Task Invoke_BodyBedrockTakes_Is200(string model, string body)
    {
        var (response, _) = await _mock.SendAsync(Signed($"model/{Uri.EscapeDataString(model)}/invoke", body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("thinking")]
    [InlineData("tool_call")]
    public async Task Stream_DecodesToTheAnthropicMocksEventsWithoutPingAndWithMetricsLast(string scenario)
    {
        (string, string)[] controls = [("x-mock-scenario", scenario), ("x-mock-usage", "input=100,output=20,cache_read=30,cache_write=10"), ("x-mock-chunk-words", "2")];
        var anthropicBody = $$"""{"model":"{{Model}}","stream":true,"max_tokens":100,"messages":[{"role":"user","content":"hi"}]}""";
        var (_, sse) = await _mock.SendAsync(MockHarness.AnthropicMessages(anthropicBody, controls));
        var expected = MockHarness.Frames(sse).Where(frame => frame.Event != "ping").Select(frame => Normalized(JsonNode.Parse(frame.Data)!)).ToList();

        var response = await _mock.Client.SendAsync(Signed($"bedrock/model/{WireModel}/invoke-with-response-stream", Body, headers: controls),
            HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        var messages = await ReadAllAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(BedrockEndpoints.EventStreamContentType, response.Content.Headers.ContentType?.MediaType);
        Assert.All(messages, message => Assert.Equal(new Dictionary<string, string>
        {
            [":event-type"] = "chunk", [":content-type"] = "application/json", [":message-type"] = "event",
        }, message.Headers));
        var payloads = messages.Select(message => JsonNode.Parse(message.Payload.Span)!.AsObject()).ToList();
        Assert.All(payloads, payload => Assert.Equal(["bytes", "p"], payload.Select(property => property.Key)));
        Assert.True(payloads.Select(payload => payload["p"]!.GetValue<string>().Length).Distinct().Count() > 1, "padding of varying length");
        var events = payloads.Select(payload => JsonNode.Parse(Convert.FromBase64String(payload["bytes"]!.GetValue<string>()))!).ToList();
        Assert.Equal(expected.Select(node => node.ToJsonString()), events.Select(node => Normalized(node.DeepClone()).ToJsonString()));

        var metrics = events[^1]["amazon-bedrock-invocationMetrics"]!.AsObject();
        Assert.Equal("message_stop", events[^1]["type"]!.GetValue<string>());
        Assert.Equal(["inputTokenCount", "outputTokenCount", "invocationLatency", "firstByteLatency", "cacheReadInputTokenCount", "cacheWriteInputTokenCount"],
            metrics.Select(property => property.Key));
        Assert.Equal((100, 20, 30, 10), (metrics["inputTokenCount"]!.GetValue<int>(), metrics["outputTokenCount"]!.GetValue<int>(),
            metrics["cacheReadInputTokenCount"]!.GetValue<int>(), metrics["cacheWriteInputTokenCount"]!.GetValue<int>()));
        Assert.True(metrics["invocationLatency"]!.GetValue<int>() >= metrics["firstByteLatency"]!.GetValue<int>());
        Assert.All(events[..^1], node => Assert.Null(node["amazon-bedrock-invocationMetrics"]));

        var exchange = _mock.Server.Exchanges[^1];
        await exchange.Completed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(messages.Sum(message => 16 + HeaderBytes(message) + message.Payload.Length), exchange.ResponseBody.Length);
    }

    [Theory]
    [InlineData(null, "modelStreamErrorException")]
    [InlineData("throttlingException", "throttlingException")]
    [InlineData("serviceUnavailableException", "serviceUnavailableException")]
    public async Task Stream_ErrorMid_EndsWithAnExceptionFrame(string? named, string type)
    {
        List<(string, string)> headers = [("x-mock-scenario", "error_mid")];
        if (named is not null)
            headers.Add((BedrockStreamExceptions.Header, named));
        var response = await _mock.Client.SendAsync(Signed($"model/{WireModel}/invoke-with-response-stream", Body, headers: [.. headers]),
            HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);

        var messages = await ReadAllAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(messages.Count >= 3);
        Assert.All(messages[..^1], message => Assert.Equal("event", message.Headers[":message-type"]));
        var last = messages[^1];
        Assert.Equal(new Dictionary<string, string>
        {
            [":exception-type"] = type, [":content-type"] = "application/json", [":message-type"] = "exception",
        }, last.Headers);
        Assert.Equal(BedrockStreamExceptions.Messages[type], JsonNode.Parse(last.Payload.Span)!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stream_Cut_EndsCleanlyBetweenFramesWithoutMessageStop()
    {
        var response = await _mock.Client.SendAsync(Signed($"model/{WireModel}/invoke-with-response-stream", Body, headers: [("x-mock-scenario", "cut")]),
            HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);

        var events = (await ReadAllAsync(response))
            .Select(message => JsonNode.Parse(Convert.FromBase64String(JsonNode.Parse(message.Payload.Span)!["bytes"]!.GetValue<string>()))!["type"]!.GetValue<string>())
            .ToList();

        Assert.Equal(["message_start", "content_block_start", "content_block_delta"], events);
    }

    [Fact]
    public async Task Invoke_Cut_SendsHalfTheMessage()
    {
        var (response, body) = await _mock.SendAsync(Signed($"model/{WireModel}/invoke", Body, headers: [("x-mock-scenario", "cut")]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("{\"id\":\"msg_", body);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body));
    }

    [Fact]
    public async Task Invoke_UnknownStreamException_Is400()
    {
        var (response, _) = await _mock.SendAsync(Signed($"model/{WireModel}/invoke", Body, headers: [(BedrockStreamExceptions.Header, "nope")]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("invoke", null, 429, "ThrottlingException")]
    [InlineData("invoke-with-response-stream", null, 429, "ThrottlingException")]
    [InlineData("invoke", "503", 503, "ServiceUnavailableException")]
    [InlineData("invoke", "500", 500, "InternalServerException")]
    public async Task ErrorBefore_AnswersBedrocksError(string operation, string? status, int expected, string type)
    {
        List<(string, string)> headers = [("x-mock-scenario", "error_before")];
        if (status is not null)
            headers.Add(("x-mock-status", status));

        var (response, body) = await _mock.SendAsync(Signed($"model/{WireModel}/{operation}", Body, headers: [.. headers]));

        Assert.Equal(expected, (int)response.StatusCode);
        Assert.Equal($"{type}:http://internal.amazon.com/coral/com.amazon.bedrock/", Header(response, BedrockError.ErrorTypeHeader));
        Assert.False(string.IsNullOrEmpty(MockHarness.Json(body).GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Invoke_ToolCall_HasToolUseAndStopReason()
    {
        var (_, body) = await _mock.SendAsync(Signed($"model/{WireModel}/invoke", Body, headers: [("x-mock-scenario", "tool_call")]));

        var message = MockHarness.Json(body);
        Assert.Equal("tool_use", message.GetProperty("stop_reason").GetString());
        Assert.Equal("get_weather", message.GetProperty("content")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task UnknownBedrockPath_Is404InBedrocksShape()
    {
        var (response, body) = await _mock.SendAsync(Signed($"bedrock/model/{WireModel}/converse", Body));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith("UnknownOperationException:", Header(response, BedrockError.ErrorTypeHeader));
        Assert.Equal("Unknown operation", MockHarness.Json(body).GetProperty("message").GetString());
    }

    /// <summary>Drops what differs between two answers by design: message and tool-use ids, Bedrock's metrics.</summary>
    private static JsonNode Normalized(JsonNode node)
    {
        if (node["message"] is JsonObject message)
            message.Remove("id");
        if (node["content_block"] is JsonObject block)
            block.Remove("id");
        node.AsObject().Remove("amazon-bedrock-invocationMetrics");
        return node;
    }

    private static int HeaderBytes(EventStreamMessage message) =>
        message.Headers.Sum(header => 1 + Encoding.UTF8.GetByteCount(header.Key) + 3 + Encoding.UTF8.GetByteCount(header.Value));

    private static async Task<List<EventStreamMessage>> ReadAllAsync(HttpResponseMessage response)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var messages = new List<EventStreamMessage>();
        await foreach (var message in EventStream.ReadAsync(stream, ct))
            messages.Add(message);
        return messages;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private HttpRequestMessage Signed(string path, string body, (string Name, string Value)[]? headers = null, string[]? signed = null,
        MockBedrockOptions? account = null, DateTimeOffset? at = null, string service = "bedrock", bool encodeOnce = false, bool signHost = true,
        MockHarness? to = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri((to ?? _mock).Server.Url + path));
        var bytes = Encoding.UTF8.GetBytes(body);
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in headers ?? [])
            request.Headers.TryAddWithoutValidation(name, value);
        ReferenceSigner.Sign(request, bytes, account ?? Account, at ?? DateTimeOffset.UtcNow, service, encodeOnce, signHost,
            (signed ?? []).Select(name => (name, string.Join(",", request.Headers.GetValues(name)))));
        return request;
    }

    private static HttpRequestMessage Resend(HttpRequestMessage request, string body)
    {
        var contentType = request.Content!.Headers.ContentType;
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        request.Content.Headers.ContentType = contentType;
        return request;
    }

    private static HttpRequestMessage Tamper(HttpRequestMessage request, string name, string value) => Replace(request, name, value);

    private static HttpRequestMessage Replace(HttpRequestMessage request, string name, string value)
    {
        request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private static HttpRequestMessage Strip(HttpRequestMessage request, string name)
    {
        request.Headers.Remove(name);
        return request;
    }

    /// <summary>
    /// SigV4 as a client signs, from the specification: the canonical URI is the path as sent with each segment
    /// encoded again (<paramref name="encodeOnce"/>: as sent, the classic mistake), <c>host</c> and <c>x-amz-date</c>
    /// signed (and the session token, when there is one), the payload hash over the exact bytes.
    /// </summary>
    private static class ReferenceSigner
    {
        public static void Sign(HttpRequestMessage request, byte[] body, MockBedrockOptions account, DateTimeOffset at, string service,
            bool encodeOnce, bool signHost, IEnumerable<(string Name, string Value)> extra)
        {
            var amzDate = at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            var date = amzDate[..8];
            request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
            var headers = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["x-amz-date"] = amzDate };
            if (signHost)
                headers["host"] = request.RequestUri!.Authority;
            if (account.SessionToken is { } token)
            {
                request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", token);
                headers["x-amz-security-token"] = token;
            }
            foreach (var (name, value) in extra)
                headers[name.ToLowerInvariant()] = value.Trim();
            var path = request.RequestUri!.AbsolutePath;
            var canonicalUri = encodeOnce ? path : string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
            var signedHeaders = string.Join(';', headers.Keys);
            var canonical = $"POST\n{canonicalUri}\n\n{string.Concat(headers.Select(h => $"{h.Key}:{h.Value}\n"))}\n{signedHeaders}\n"
                + Convert.ToHexStringLower(SHA256.HashData(body));
            var scope = $"{date}/{account.Region}/{service}/aws4_request";
            var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
            var key = Encoding.UTF8.GetBytes("AWS4" + account.SecretAccessKey);
            foreach (var part in new[] { date, account.Region, service, "aws4_request" })
                key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
            var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
            request.Headers.TryAddWithoutValidation("Authorization",
                $"AWS4-HMAC-SHA256 Credential={account.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
        }
    }
}

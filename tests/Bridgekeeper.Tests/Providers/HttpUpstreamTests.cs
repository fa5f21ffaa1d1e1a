using System.Net;
using System.Text;
using Bridgekeeper.Hosting;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.Upstreams;
using Bridgekeeper.Tests.Streaming;
using Bridgekeeper.Tests.Testing;
using Microsoft.Extensions.Primitives;

namespace Bridgekeeper.Tests.Providers;

/// <summary>
/// The HTTP upstream as the catalog builds it, over a handler that records what would go on the wire and answers as
/// told: what it sends (URI from the template, body bytes, credentials), what it relays (status, headers, events, body),
/// and that every transport failure comes back as a value, never an exception; only the caller's cancellation throws.
/// </summary>
public sealed class HttpUpstreamTests
{
    private static readonly TestUpstreamServices Services = new();

    private static readonly RequestFacts Facts = new("m-1", Stream: true, null, null, ClientWantsUsage: true);

    private static IUpstream Upstream(Script handler, string type = ProviderTypes.OpenAI, string? organization = null, string? project = null,
        IReadOnlyList<string>? keys = null)
    {
        var baseUrl = new Uri(type == ProviderTypes.OpenAI ? "https://up.example/v1/" : "https://up.example/");
        var settings = new ProviderSettings(type, type, "sk-gateway", baseUrl, organization, project) { Keys = keys ?? [] };
        return ProviderCatalog.Build([settings], new HttpMessageInvoker(handler), TestForwarder.Instance, Services.Services)[0].Upstream!;
    }

    private static UpstreamRequest Request(string body, string head = "", string query = "", params (string, string)[] headers) =>
        new("v1/chat/completions", query, Encoding.UTF8.GetBytes(body), [.. headers.Select(h => new KeyValuePair<string, StringValues>(h.Item1, h.Item2))])
        {
            Head = Encoding.UTF8.GetBytes(head),
        };

    [Fact]
    public async Task Send_OpenAI_TemplatePathQueryExactBodyAndTheGatewaysCredentialsOnly()
    {
        var handler = new Script(_ => Answer(200, "{}", "application/json"));
        var upstream = Upstream(handler, organization: "org-gw", project: "proj-gw");

        using var result = (await upstream.SendAsync(Request("\"rest\":1}", head: "{\"stream_options\":{},", query: "?beta=true",
            ("Authorization", "Bearer bk_client"), ("x-api-key", "bk_client"), ("User-Agent", "agent/1")), Facts, CancellationToken.None)).Exchange!;

        var sent = Assert.Single(handler.Sent);
        Assert.Equal("https://up.example/v1/chat/completions?beta=true", sent.Uri);
        Assert.Equal("{\"stream_options\":{},\"rest\":1}", sent.Body);
        Assert.Equal("application/json", sent.ContentType);
        Assert.Equal(["Bearer sk-gateway"], sent.Headers["Authorization"]);
        Assert.False(sent.Headers.ContainsKey("x-api-key"));
        Assert.Equal(["org-gw"], sent.Headers["OpenAI-Organization"]);
        Assert.Equal(["proj-gw"], sent.Headers["OpenAI-Project"]);
        Assert.Equal(["agent/1"], sent.Headers["User-Agent"]);
        Assert.Equal(200, result.Status);
    }

    [Fact]
    public async Task Send_Anthropic_KeyAsXApiKeyAndNoBearer()
    {
        var handler = new Script(_ => Answer(200, "{}", "application/json"));

        using var _ = (await Upstream(handler, ProviderTypes.Anthropic).SendAsync(
            Request("{}", headers: ("Authorization", "Bearer bk_client")) with { Path = "v1/messages" }, Facts, CancellationToken.None)).Exchange!;

        var sent = Assert.Single(handler.Sent);
        Assert.Equal("https://up.example/v1/messages", sent.Uri);
        Assert.Equal(["sk-gateway"], sent.Headers["x-api-key"]);
        Assert.False(sent.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task Send_PoolWhoseKeyWasRateLimited_NextRequestsUseTheOtherKeysNeverRetrying()
    {
        var handler = new Script(request => request.Headers.GetValues("x-api-key").Single() == "sk-gateway"
            ? new HttpResponseMessage((HttpStatusCode)429) { Content = new StringContent("{}"), Headers = { { "Retry-After", "30" } } }
            : Answer(200, "{}", "application/json"));
        var upstream = Upstream(handler, ProviderTypes.Anthropic, keys: ["sk-second", "sk-third"]);

        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            using var exchange = (await upstream.SendAsync(Request("{}") with { Path = "v1/messages" }, Facts, CancellationToken.None)).Exchange!;
            statuses.Add(exchange.Status);
        }

        Assert.Equal([429, 200, 200, 200], statuses);
        Assert.Equal(["sk-gateway", "sk-second", "sk-third", "sk-second"], handler.Sent.Select(s => s.Headers["x-api-key"].Single()));
    }

    [Theory]
    [InlineData("?a=1#fragment")]
    [InlineData("a=1")]
    public async Task Send_QueryThatCannotBeForwarded_IsATargetFailureAndNothingIsSent(string query)
    {
        var handler = new Script(_ => Answer(200, "{}", "application/json"));

        var result = await Upstream(handler).SendAsync(Request("{}", query: query), Facts, CancellationToken.None);

        Assert.Equal(UpstreamError.Target, result.Failure?.Error);
        Assert.Null(result.Exchange);
        Assert.Empty(handler.Sent);
    }

    public static TheoryData<string> SendFailures => ["refused", "io", "connect-timeout"];

    [Theory]
    [MemberData(nameof(SendFailures))]
    public async Task Send_TransportFailsBeforeAnAnswer_IsARequestFailureValue(string failure)
    {
        var handler = new Script(_ => failure switch
        {
            "refused" => throw new HttpRequestException("Connection refused (up.example:443)"),
            "io" => throw new IOException("The connection was reset"),
            _ => throw new TaskCanceledException("The connect timeout elapsed"),
        });

        var result = await Upstream(handler).SendAsync(Request("{}"), Facts, CancellationToken.None);

        Assert.Null(result.Exchange);
        Assert.Equal(UpstreamError.Request, result.Failure!.Error);
        Assert.Contains(failure switch { "refused" => "Connection refused", "io" => "reset", _ => "connect timeout" }, result.Failure.Detail);
    }

    [Fact]
    public async Task Send_CallerCancels_Throws()
    {
        using var cancel = new CancellationTokenSource();
        var handler = new Script(_ =>
        {
            cancel.Cancel();
            throw new TaskCanceledException();
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Upstream(handler).SendAsync(Request("{}"), Facts, cancel.Token));
    }

    [Fact]
    public async Task Exchange_HeadersSafeToRelay_AccountAndHopByHopOnesRemoved()
    {
        var handler = new Script(_ =>
        {
            var answer = Answer(429, "{\"error\":{}}", "application/json");
            answer.Headers.TryAddWithoutValidation("Set-Cookie", "session=1");
            answer.Headers.TryAddWithoutValidation("openai-organization", "org-gw");
            answer.Headers.TryAddWithoutValidation("Connection", "keep-alive");
            answer.Headers.TryAddWithoutValidation("x-request-id", "req_1");
            answer.Headers.TryAddWithoutValidation("retry-after", "3");
            return answer;
        });

        using var exchange = (await Upstream(handler).SendAsync(Request("{}"), Facts, CancellationToken.None)).Exchange!;

        Assert.Equal((429, false, false), (exchange.Status, exchange.IsSuccess, exchange.IsStream));
        Assert.Equal(["content-type: application/json; charset=utf-8", "retry-after: 3", "x-request-id: req_1"],
            exchange.Headers.Select(h => $"{h.Key.ToLowerInvariant()}: {h.Value}").Order(StringComparer.Ordinal));
        Assert.Equal("{\"error\":{}}", Encoding.UTF8.GetString((await exchange.ReadBodyAsync(CancellationToken.None))!));
        Assert.Null(exchange.Failure);
    }

    [Fact]
    public async Task Exchange_Stream_EventsAreTheUpstreamsFrames()
    {
        const string stream = "event: a\ndata: {\"n\":1}\n\n: comment\n\ndata: [DONE]\n\n";
        var handler = new Script(_ => Answer(200, stream, "text/event-stream"));

        using var exchange = (await Upstream(handler).SendAsync(Request("{}"), Facts, CancellationToken.None)).Exchange!;
        var raw = new StringBuilder();
        await foreach (var item in exchange.ReadEventsAsync(CancellationToken.None))
            raw.Append(Encoding.UTF8.GetString(item.Raw.Span));

        Assert.True(exchange.IsStream);
        Assert.Equal(stream, raw.ToString());
        Assert.Null(exchange.Failure);
    }

    [Fact]
    public async Task Exchange_StreamBreaksMidway_EventsEndAndTheFailureIsAValue()
    {
        var handler = new Script(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new BreakingStream("data: {\"n\":1}\n\ndata: {\"n\":"u8.ToArray())) { Headers = { { "Content-Type", "text/event-stream" } } },
        });

        using var exchange = (await Upstream(handler).SendAsync(Request("{}"), Facts, CancellationToken.None)).Exchange!;
        var frames = new List<string>();
        await foreach (var item in exchange.ReadEventsAsync(CancellationToken.None))
            frames.Add(Encoding.UTF8.GetString(item.Raw.Span));

        Assert.Equal(["data: {\"n\":1}\n\n"], frames);
        Assert.Equal(new UpstreamFailure(UpstreamError.ResponseBody, "peer reset"), exchange.Failure);
    }

    [Fact]
    public async Task Exchange_BodyBreaksMidway_ReadGivesNullAndTheFailure()
    {
        var handler = new Script(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new BreakingStream("{\"id\":"u8.ToArray())) { Headers = { { "Content-Type", "application/json" } } },
        });

        using var exchange = (await Upstream(handler).SendAsync(Request("{}"), Facts, CancellationToken.None)).Exchange!;

        Assert.Null(await exchange.ReadBodyAsync(CancellationToken.None));
        Assert.Equal(UpstreamError.ResponseBody, exchange.Failure?.Error);
    }

    [Fact]
    public async Task Exchange_CallerCancelsWhileReading_Throws()
    {
        using var cancel = new CancellationTokenSource();
        var handler = new Script(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new BreakingStream("data: x\n\n"u8.ToArray(), onBreak: cancel.Cancel)) { Headers = { { "Content-Type", "text/event-stream" } } },
        });

        using var exchange = (await Upstream(handler).SendAsync(Request("{}"), Facts, CancellationToken.None)).Exchange!;

        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var _ in exchange.ReadEventsAsync(cancel.Token))
            {
            }
        });
        Assert.Null(exchange.Failure);
    }

    private static HttpResponseMessage Answer(int status, string body, string contentType) =>
        new((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, contentType) };

    /// <summary>What the handler received, as it would go on the wire.</summary>
    private sealed record Sent(string Uri, string Body, string? ContentType, Dictionary<string, string[]> Headers);

    private sealed class Script(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<Sent> Sent { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            var headers = request.Headers.NonValidated.ToDictionary(h => h.Key, h => h.Value.ToArray(), StringComparer.OrdinalIgnoreCase);
            Sent.Add(new(request.RequestUri!.AbsoluteUri, body, request.Content?.Headers.ContentType?.ToString(), headers));
            return answer(request);
        }
    }

    /// <summary>Gives its bytes, then fails as a reset connection does (after calling <paramref name="onBreak"/>).</summary>
    private sealed class BreakingStream(byte[] content, Action? onBreak = null) : Stream
    {
        private readonly ChunkedStream _content = ChunkedStream.Whole(content);
        private bool _done;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = _content.Read(buffer);
            if (read > 0 || _done)
                return read;
            _done = true;
            onBreak?.Invoke();
            throw new IOException("peer reset");
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(Read(buffer.Span));
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

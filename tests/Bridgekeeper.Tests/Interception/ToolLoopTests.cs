using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json.Nodes;
using Bridgekeeper.Auth;
using Bridgekeeper.Interception;
using Bridgekeeper.Metrics;
using Bridgekeeper.Pricing;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.OpenAIChat;
using Bridgekeeper.Recording;
using Bridgekeeper.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using static Bridgekeeper.Tests.Providers.OpenAIChatLoopFixtures;

namespace Bridgekeeper.Tests.Interception;

/// <summary>
/// The one tool loop (<see cref="ToolLoop"/>) on its own: a scripted upstream behind the seam, the real writers over an
/// in-memory response, a recording sink. What the client receives, what goes upstream, what is recorded and the outcome.
/// </summary>
public sealed class ToolLoopTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly Sink _audit = new();
    private readonly MemoryStream _client = new();
    private readonly DefaultHttpContext _http;
    private readonly ToolLoop _loop;

    public ToolLoopTests()
    {
        var metrics = new BridgekeeperMetrics(_services.GetRequiredService<IMeterFactory>(), () => 0, ModelLabels.None, "Bridgekeeper.Test." + Guid.NewGuid().ToString("N"));
        _loop = new ToolLoop(new InterceptionOptions(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5)), TimeProvider.System, metrics, NullLogger<ToolLoop>.Instance);
        _http = StartingResponse.Context(_client);
    }

    public void Dispose()
    {
        _services.Dispose();
        _client.Dispose();
    }

    private static readonly OpenAIChatDialect Chat = new();
    private const string ChatRequest = """{"model":"gpt-4.1","stream":true,"messages":[{"role":"user","content":"Weather in Paris?"}]}""";

    private global::Bridgekeeper.Interception.Interception Interception(bool stream = true)
    {
        var provider = new Provider(new ProviderSettings("openai", ProviderTypes.OpenAI, "sk", new Uri("http://127.0.0.1:9/v1/")), Chat, null, [], []);
        var interception = new global::Bridgekeeper.Interception.Interception(_audit, TimeProvider.System,
            new GatewayUser(Guid.NewGuid(), "alice", Roles.Member, Guid.NewGuid()), provider, Chat, new CostCalculator(new Dictionary<string, ModelPrice>()));
        interception.Start(new RequestFacts("gpt-4.1", stream, "Weather in Paris?", null, ClientWantsUsage: true), "test", null, null);
        return interception;
    }

    private static UpstreamRequest Request() => new("v1/chat/completions", "", Encoding.UTF8.GetBytes(ChatRequest), []);

    private static UpstreamExchange Stream(string fixture, UpstreamFailure? breaksWith = null) =>
        new FixtureExchange(200, Encoding.UTF8.GetBytes(fixture), breaksWith: breaksWith);

    /// <summary>Injects the weather and clock tools; each call of a tool gets <paramref name="result"/>.</summary>
    private static Injection Injected(List<ToolCall> ran, string result = "Sunny, 24 °C", int maxRounds = 10) =>
        new(new OpenAIChatToolLoop(), new HashSet<string> { Weather, Clock }, JsonNode.Parse(ChatRequest)!.AsObject(),
            (calls, _) =>
            {
                ran.AddRange(calls);
                return Task.FromResult<IReadOnlyList<ToolOutcome>>([.. calls.Select(call => new ToolOutcome(call, result, IsError: false))]);
            },
            maxRounds, TimeSpan.FromMinutes(1));

    private string ClientText() => Encoding.UTF8.GetString(_client.ToArray());

    [Fact]
    public async Task TwoTurns_TheToolRunsHidden_TheClientGetsOneStream_TheNextRequestCarriesTheResult()
    {
        var upstream = new ScriptedUpstream(Stream(TextThenInjectedCall), Stream(TextAnswer));
        var ran = new List<ToolCall>();

        var outcome = await _loop.RunAsync(_http, Interception(), upstream, Request(), Injected(ran), startedAt: 0);

        Assert.Equal(Outcome.Completed, outcome);
        Assert.Equal(TwoTurnsToClient, ClientText());
        Assert.Equal("text/event-stream", _http.Response.ContentType);
        Assert.True(_http.Response.Headers.ContainsKey(ToolLoop.OverheadHeader));
        Assert.Equal([("call_w1", Weather, """{"city":"Paris"}""")], ran.Select(call => (call.Id, call.Name, call.Arguments)));
        Assert.Equal(2, upstream.Sent.Count);
        Assert.Equal(ChatRequest, Encoding.UTF8.GetString(upstream.Sent[0].Body.Span));
        var messages = JsonNode.Parse(upstream.Sent[1].Body.Span)!["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "tool"], messages.Select(m => (string?)m!["role"]));
        Assert.Equal("call_w1", (string?)messages[1]!["tool_calls"]![0]!["id"]);
        Assert.Equal(("call_w1", "Sunny, 24 °C"), ((string?)messages[2]!["tool_call_id"], (string?)messages[2]!["content"]));
        Assert.Equal([(60L, 20L, 40L), (50L, 10L, 100L)], _audit.Of<TokenUsageRecorded>().Select(u => (u.InputTokens, u.OutputTokens, u.CacheReadTokens)));
    }

    [Fact]
    public async Task UpstreamBreaksMidStream_TheClientGetsWhatCameThenTheErrorEvent_OutcomeFailed()
    {
        var cut = TextThenInjectedCall[..TextThenInjectedCall.IndexOf("\"tool_calls\":[{\"index\":0,\"id\"", StringComparison.Ordinal)];
        cut = cut[..(cut.LastIndexOf("\n\n", StringComparison.Ordinal) + 2)];
        var upstream = new ScriptedUpstream(Stream(cut, new UpstreamFailure(UpstreamError.ResponseBody, "peer reset")));

        var outcome = await _loop.RunAsync(_http, Interception(), upstream, Request(), injection: null, startedAt: 0);

        Assert.Equal(Outcome.Failed("upstream_broken: the upstream connection failed mid-response (peer reset)"), outcome);
        var text = ClientText();
        Assert.StartsWith(cut, text, StringComparison.Ordinal);
        Assert.StartsWith("data: {\"error\":{\"message\":\"The upstream connection failed mid-response.\"", text[cut.Length..], StringComparison.Ordinal);
        Assert.Empty(_audit.Of<TokenUsageRecorded>());   // the usage chunk never came
    }

    [Fact]
    public async Task NoAnswer_502InTheDialectsShapeBeforeAnythingStarted()
    {
        var upstream = new ScriptedUpstream(new UpstreamFailure(UpstreamError.Request, "Connection refused"));

        var outcome = await _loop.RunAsync(_http, Interception(), upstream, Request(), injection: null, startedAt: 0);

        Assert.Equal(Outcome.Failed("upstream_unreachable: Connection refused"), outcome);
        Assert.Equal(502, _http.Response.StatusCode);
        Assert.Equal("The upstream provider could not be reached.", (string?)JsonNode.Parse(ClientText())!["error"]!["message"]);
    }

    [Fact]
    public async Task ModelKeepsAskingForInjectedTools_TheCapStopsTheLoopWithAnInStreamError()
    {
        var upstream = new ScriptedUpstream(Stream(TextThenInjectedCall), Stream(TextThenInjectedCall));
        var ran = new List<ToolCall>();

        var outcome = await _loop.RunAsync(_http, Interception(), upstream, Request(), Injected(ran, maxRounds: 2), startedAt: 0);

        Assert.Equal(Outcome.Failed("tool_loop_cap: the model still wanted injected tools after 2 rounds"), outcome);
        Assert.Single(ran);
        Assert.Equal(2, upstream.Sent.Count);
        Assert.Contains("The gateway stopped its tool loop: tool_loop_cap", ClientText(), StringComparison.Ordinal);
        Assert.Equal(2, _audit.Of<TokenUsageRecorded>().Count);
    }

    [Fact]
    public async Task Blocking_UpstreamErrorStatus_IsRelayedAsItCame()
    {
        const string error = """{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""";
        var upstream = new ScriptedUpstream(new FixtureExchange(429, Encoding.UTF8.GetBytes(error), stream: false,
            headers: [new("content-type", "application/json"), new("x-request-id", "req_9"), new("retry-after", new StringValues(["2"]))]));

        var outcome = await _loop.RunAsync(_http, Interception(stream: false), upstream, Request(), injection: null, startedAt: 0);

        Assert.Equal(Outcome.Failed("upstream returned 429: " + error), outcome);
        Assert.Equal((429, "req_9", "2", (long?)error.Length), (_http.Response.StatusCode, _http.Response.Headers["x-request-id"].ToString(),
            _http.Response.Headers.RetryAfter.ToString(), _http.Response.ContentLength));
        Assert.Equal(error, ClientText());
    }

    [Fact]
    public async Task Blocking_OneTurn_TheClientGetsTheUpstreamsBytes()
    {
        const string body = """{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hi \u00e9"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}""";
        var upstream = new ScriptedUpstream(new FixtureExchange(200, Encoding.UTF8.GetBytes(body), stream: false));

        var outcome = await _loop.RunAsync(_http, Interception(stream: false), upstream, Request(), injection: null, startedAt: 0);

        Assert.Equal(Outcome.Completed, outcome);
        Assert.Equal(body, ClientText());
        Assert.Equal((5L, 2L), _audit.Of<TokenUsageRecorded>().Select(u => (u.InputTokens, u.OutputTokens)).Single());
    }

    /// <summary>An upstream that answers each send with the next scripted result, and keeps what it was sent.</summary>
    private sealed class ScriptedUpstream(params UpstreamResult[] answers) : IUpstream
    {
        private int _next;

        public List<UpstreamRequest> Sent { get; } = [];

        public Task<UpstreamResult> SendAsync(UpstreamRequest request, RequestFacts facts, CancellationToken cancellationToken)
        {
            Sent.Add(request with { Body = (request.Head.IsEmpty ? request.Body : (byte[])[.. request.Head.Span, .. request.Body.Span]), Head = default });
            return Task.FromResult(answers[_next++]);
        }

        public Task<UpstreamFailure?> ForwardAsync(HttpContext http, string path, string query) => throw new NotSupportedException();
    }

    private sealed class Sink : IAuditSink
    {
        private readonly List<AuditRecord> _records = [];

        public List<T> Of<T>() => [.. _records.OfType<T>()];

        public bool TryAdmit() => true;

        public void Record(AuditRecord record) => _records.Add(record);

        public void Release()
        {
        }
    }
}

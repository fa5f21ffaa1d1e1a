using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json.Nodes;
using Bridgekeeper.Auth;
using Bridgekeeper.Interception;
using Bridgekeeper.Metrics;
using Bridgekeeper.Pricing;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.AnthropicMessages;
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

    private global::Bridgekeeper.Interception.Interception Interception(bool stream = true, IApiDialect? dialect = null)
    {
        dialect ??= Chat;
        var type = dialect is AnthropicMessagesDialect ? ProviderTypes.Anthropic : ProviderTypes.OpenAI;
        var provider = new Provider(new ProviderSettings(type, type, "sk", new Uri("http://127.0.0.1:9/v1/")), dialect, null, [], []);
        var interception = new global::Bridgekeeper.Interception.Interception(_audit, TimeProvider.System,
            new GatewayUser(Guid.NewGuid(), "alice", Roles.Member, Guid.NewGuid()), provider, dialect, new CostCalculator(new Dictionary<string, ModelPrice>()));
        interception.Start(new RequestFacts("gpt-4.1", stream, "Weather in Paris?", null, ClientWantsUsage: true), "test", null, null);
        return interception;
    }

    private static UpstreamRequest Request() => new("v1/chat/completions", "", Encoding.UTF8.GetBytes(ChatRequest), []);

    private static UpstreamExchange Stream(string fixture, UpstreamFailure? breaksWith = null) =>
        new FixtureExchange(200, Encoding.UTF8.GetBytes(fixture), breaksWith: breaksWith);

    /// <summary>Injects the weather and clock tools; each call of a tool gets <paramref name="result"/>.</summary>
    private static Injection Injected(List<ToolCall> ran, string result = "Sunny, 24 °C", int maxRounds = 10, IToolLoopDialect? dialect = null) =>
        new(dialect ?? new OpenAIChatToolLoop(), new HashSet<string> { Weather, Clock }, JsonNode.Parse(ChatRequest)!.AsObject(),
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

    private const string AnthropicTurn1 = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_T1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":100,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me check."}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"bmcp_weather_forecast","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":\"Paris\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":20}}

        event: message_stop
        data: {"type":"message_stop"}


        """;

    private const string AnthropicTurn2 = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_T2","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":150,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" Sunny."}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":10}}

        event: message_stop
        data: {"type":"message_stop"}


        """;

    [Fact]
    public async Task Anthropic_TwoTurns_OneMessageToTheClient_BlocksNumberedOn_UsageSummed_ToolResultSentBack()
    {
        var upstream = new ScriptedUpstream(Stream(AnthropicTurn1), Stream(AnthropicTurn2));
        var ran = new List<ToolCall>();

        var outcome = await _loop.RunAsync(_http, Interception(dialect: new AnthropicMessagesDialect()), upstream, Request(),
            Injected(ran, dialect: new AnthropicToolLoop()), startedAt: 0);

        Assert.Equal(Outcome.Completed, outcome);
        var frames = ClientText().Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var events = frames.Select(frame => JsonNode.Parse(frame[(frame.IndexOf("data: ", StringComparison.Ordinal) + 6)..])!).ToList();
        Assert.Equal(["message_start", "content_block_start", "content_block_delta", "content_block_stop", "content_block_start",
            "content_block_delta", "content_block_stop", "message_delta", "message_stop"], events.Select(e => (string?)e["type"]));
        Assert.Equal(string.Concat(AnthropicTurn1.Split("\n\n")[..4].Select(frame => frame + "\n\n")), string.Concat(frames[..4].Select(frame => frame + "\n\n")));
        Assert.Equal([0, 0, 0, 1, 1, 1], events.Skip(1).Take(6).Select(e => (int)e["index"]!));
        Assert.Equal(" Sunny.", (string?)events[5]["delta"]!["text"]);
        Assert.Equal((250, 30, "end_turn"), ((int)events[7]["usage"]!["input_tokens"]!, (int)events[7]["usage"]!["output_tokens"]!,
            (string?)events[7]["delta"]!["stop_reason"]));
        Assert.Equal([("toolu_1", """{"city":"Paris"}""")], ran.Select(call => (call.Id, call.Arguments)));
        var messages = JsonNode.Parse(upstream.Sent[1].Body.Span)!["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "user"], messages.Select(m => (string?)m!["role"]));
        Assert.Equal(["text", "tool_use"], messages[1]!["content"]!.AsArray().Select(block => (string?)block!["type"]));
        var result = messages[2]!["content"]![0]!;
        Assert.Equal(("tool_result", "toolu_1", "Sunny, 24 °C"), ((string?)result["type"], (string?)result["tool_use_id"], (string?)result["content"]));
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

        public void Record(params ReadOnlySpan<AuditRecord> records) => _records.AddRange(records);

        public void Release()
        {
        }
    }
}

using System.Text;
using Bridgekeeper.Metrics;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.Upstreams;
using Bridgekeeper.Streaming;
using Bridgekeeper.Tests.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Primitives;

namespace Bridgekeeper.Tests.Providers;

/// <summary>
/// The circuit breaker on the upstream seam, driven by a fake clock and a scripted inner upstream: it opens after
/// five failures out of five, answers the open failure at once without calling the inner upstream, half-opens after
/// the break, closes on a good probe and re-opens on a failing one; breaks found while reading (a failure after the
/// events, the idle timeout) count once each, a client that left does not; circuits are per model and for passthrough.
/// </summary>
public sealed class GuardedUpstreamTests : IDisposable
{
    private static readonly TimeSpan Break = CircuitOptions.Default.BreakDuration;

    private readonly ObservedTime _time = new();
    private readonly FakeLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly TestUpstreamServices _services;
    private readonly Inner _inner = new();
    private readonly GuardedUpstream _upstream;

    public GuardedUpstreamTests()
    {
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(_logs));
        _services = new TestUpstreamServices(_time, _loggerFactory, new ModelLabels(m => m.StartsWith("model-", StringComparison.Ordinal) ? m : null));
        _upstream = new GuardedUpstream(_inner, "anthropic", _services.Services);
    }

    public void Dispose()
    {
        _services.Dispose();
        _loggerFactory.Dispose();
        _logs.Dispose();
    }

    private static RequestFacts Facts(string model = "model-a") => new(model, Stream: true, null, null, ClientWantsUsage: true);

    private static UpstreamRequest Request(CancellationToken client = default) =>
        new("v1/messages", "", Encoding.UTF8.GetBytes("{}"), []) { ClientAborted = client };

    private Task<UpstreamResult> SendAsync(string model = "model-a") => SendAsync(default, default, model);

    /// <param name="client">The client's connection (<see cref="UpstreamRequest.ClientAborted"/>).</param>
    /// <param name="token">The send's token (the idle timeout's, linked with the client's).</param>
    private Task<UpstreamResult> SendAsync(CancellationToken client, CancellationToken token, string model = "model-a") =>
        _upstream.SendAsync(Request(client), Facts(model), token);

    /// <summary>Sends and reads the answer through, as the tool loop does; returns the status, or the failure's kind.</summary>
    private async Task<string> ExchangeAsync(string model = "model-a")
    {
        var sent = await SendAsync(model);
        if (sent.Failure is { } failure)
            return failure.Error.ToString();
        using var exchange = sent.Exchange!;
        await foreach (var _ in exchange.ReadEventsAsync(CancellationToken.None))
        {
        }
        return exchange.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task OpenAsync(string model = "model-a")
    {
        _inner.Next = _ => new FakeExchange(500);
        for (var i = 0; i < CircuitOptions.Default.MinimumThroughput; i++)
            Assert.Equal("500", await ExchangeAsync(model));
    }

    [Fact]
    public async Task Send_FiveServerErrors_OpensAndAnswersUnavailableAtOnceWithoutTheUpstream()
    {
        await OpenAsync();
        var calls = _inner.Calls;

        var refused = (await SendAsync()).Failure!;

        Assert.Equal(calls, _inner.Calls);
        Assert.Equal(UpstreamError.Unavailable, refused.Error);
        Assert.Equal(Break, refused.RetryAfter);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(Break - TimeSpan.FromSeconds(10), (await SendAsync()).Failure!.RetryAfter);
        Assert.Equal(calls, _inner.Calls);
        Assert.Single(_logs.Collector.GetSnapshot(), r => r.Message.Contains("circuit for model-a opened", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(529)]
    [InlineData(503)]
    public async Task Send_OverloadedStatuses_Count(int status)
    {
        _inner.Next = _ => new FakeExchange(status);
        for (var i = 0; i < 5; i++)
            await ExchangeAsync();

        Assert.Equal(nameof(UpstreamError.Unavailable), await ExchangeAsync());
    }

    [Fact]
    public async Task Send_FewerFailuresThanTheThresholdAmongSuccesses_StaysClosed()
    {
        var n = 0;
        _inner.Next = _ => new FakeExchange(n++ % 3 == 0 ? 500 : 200);   // a third fail: under the ratio

        for (var i = 0; i < 30; i++)
            Assert.NotEqual(nameof(UpstreamError.Unavailable), await ExchangeAsync());
        Assert.Equal(30, _inner.Calls);
    }

    [Fact]
    public async Task Send_ClientErrorsAndRateLimits_DoNotCount()
    {
        var statuses = new Queue<int>([400, 401, 404, 429, 413, 400, 429]);
        _inner.Next = _ => new FakeExchange(statuses.Dequeue());

        for (var i = 0; i < 7; i++)
            await ExchangeAsync();

        _inner.Next = _ => new FakeExchange(200);
        Assert.Equal("200", await ExchangeAsync());
    }

    [Fact]
    public async Task Send_AfterTheBreak_OneProbeGoesThroughAndASuccessCloses()
    {
        await OpenAsync();
        _time.Advance(Break);
        var probe = new TaskCompletionSource<UpstreamResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _inner.Next = _ => probe.Task;

        var probing = SendAsync();
        Assert.Equal(UpstreamError.Unavailable, (await SendAsync()).Failure?.Error);   // one probe at a time
        probe.SetResult(new FakeExchange(200));
        using (var answered = (await probing).Exchange!)
            Assert.Equal(200, answered.Status);

        _inner.Next = _ => new FakeExchange(200);
        Assert.Equal(["200", "200"], [await ExchangeAsync(), await ExchangeAsync()]);
        var changes = _logs.Collector.GetSnapshot().Select(r => r.Message).Where(m => m.Contains("circuit for", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, changes.Count);
        Assert.Contains("opened", changes[0], StringComparison.Ordinal);
        Assert.Contains("half-open", changes[1], StringComparison.Ordinal);
        Assert.Contains("closed", changes[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_FailingProbe_OpensForAnotherBreak()
    {
        await OpenAsync();
        _time.Advance(Break);

        Assert.Equal("500", await ExchangeAsync());
        var calls = _inner.Calls;

        var refused = (await SendAsync()).Failure!;
        Assert.Equal((UpstreamError.Unavailable, Break), (refused.Error, refused.RetryAfter));
        Assert.Equal(calls, _inner.Calls);
        _time.Advance(Break);
        _inner.Next = _ => new FakeExchange(200);
        Assert.Equal("200", await ExchangeAsync());
    }

    [Fact]
    public async Task Send_StreamsThatBreakAfterAGoodStatus_Count()
    {
        _inner.Next = _ => new FakeExchange(200, breaksAtEnd: true);
        for (var i = 0; i < 5; i++)
        {
            using var exchange = (await SendAsync()).Exchange!;
            var events = 0;
            await foreach (var _ in exchange.ReadEventsAsync(CancellationToken.None))
                events++;
            Assert.Equal((2, UpstreamError.ResponseBody), (events, exchange.Failure?.Error));   // relayed as before, failure included
        }

        Assert.Equal(nameof(UpstreamError.Unavailable), await ExchangeAsync());
    }

    [Fact]
    public async Task Send_BodyThatBreaksAfterAGoodStatus_Counts()
    {
        _inner.Next = _ => new FakeExchange(200, breaksAtEnd: true);
        for (var i = 0; i < 5; i++)
        {
            using var exchange = (await SendAsync()).Exchange!;
            Assert.Null(await exchange.ReadBodyAsync(CancellationToken.None));
            Assert.Equal(UpstreamError.ResponseBody, exchange.Failure?.Error);
        }

        Assert.Equal(UpstreamError.Unavailable, (await SendAsync()).Failure?.Error);
    }

    [Fact]
    public async Task Send_IdleTimeoutWhileReading_CountsButAClientThatLeftDoesNot()
    {
        using var client = new CancellationTokenSource();
        _inner.Next = _ => new FakeExchange(200, hangs: true);
        for (var i = 0; i < 5; i++)
        {
            using var left = new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(left.Token);
            using var exchange = (await _upstream.SendAsync(Request(left.Token), Facts(), linked.Token)).Exchange!;
            left.Cancel();   // the client leaves mid-stream
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => exchange.ReadBodyAsync(linked.Token));
        }
        _inner.Next = _ => new FakeExchange(200);
        Assert.Equal("200", await ExchangeAsync());
        _time.Advance(CircuitOptions.Default.SamplingDuration);   // a fresh window for the silent ones
        _inner.Next = _ => new FakeExchange(200, hangs: true);

        for (var i = 0; i < 5; i++)
        {
            using var idle = new CancellationTokenSource();
            using var exchange = (await _upstream.SendAsync(Request(client.Token), Facts(), idle.Token)).Exchange!;
            idle.Cancel();   // the idle timer fires; the client is still there
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var _ in exchange.ReadEventsAsync(idle.Token))
                {
                }
            });
        }

        Assert.Equal(UpstreamError.Unavailable, (await SendAsync(client.Token, CancellationToken.None)).Failure?.Error);
    }

    [Fact]
    public async Task Send_SilentBeforeHeaders_CountsAndRethrows()
    {
        using var client = new CancellationTokenSource();
        _inner.Next = async token =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return default;
        };
        for (var i = 0; i < 5; i++)
        {
            using var idle = new CancellationTokenSource();
            var sending = SendAsync(client.Token, idle.Token);
            idle.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        }

        Assert.Equal(UpstreamError.Unavailable, (await SendAsync(client.Token, CancellationToken.None)).Failure?.Error);
    }

    [Theory]
    [InlineData(nameof(UpstreamError.Request), true)]
    [InlineData(nameof(UpstreamError.ResponseBody), true)]
    [InlineData(nameof(UpstreamError.RequestTimedOut), true)]
    [InlineData(nameof(UpstreamError.Target), false)]
    [InlineData(nameof(UpstreamError.Client), false)]
    public async Task Send_FailureValues_CountUnlessTheClientsOwn(string kind, bool counts)
    {
        var error = Enum.Parse<UpstreamError>(kind);
        _inner.Next = _ => Task.FromResult<UpstreamResult>(new UpstreamFailure(error, "scripted"));
        for (var i = 0; i < 5; i++)
            Assert.Equal(error, (await SendAsync()).Failure?.Error);

        Assert.Equal(counts ? UpstreamError.Unavailable : error, (await SendAsync()).Failure?.Error);
    }

    [Fact]
    public async Task Send_CircuitsArePerModel_UnknownModelsShareOne()
    {
        await OpenAsync("model-a");
        _inner.Next = _ => new FakeExchange(200);

        Assert.Equal(nameof(UpstreamError.Unavailable), await ExchangeAsync("model-a"));
        Assert.Equal("200", await ExchangeAsync("model-b"));

        await OpenAsync("unknown-1");
        _inner.Next = _ => new FakeExchange(200);
        Assert.Equal(nameof(UpstreamError.Unavailable), await ExchangeAsync("unknown-2"));   // both are "other"
        Assert.Equal("200", await ExchangeAsync("model-b"));
    }

    [Fact]
    public async Task Forward_ServerErrors_OpenThePassthroughCircuitOnly()
    {
        _inner.Forward = http =>
        {
            http.Response.StatusCode = 502;
            return null;
        };
        for (var i = 0; i < 5; i++)
            Assert.Null(await _upstream.ForwardAsync(new DefaultHttpContext(), "v1/models", ""));
        var calls = _inner.Forwards;

        var refused = await _upstream.ForwardAsync(new DefaultHttpContext(), "v1/models", "");

        Assert.Equal((UpstreamError.Unavailable, Break), (refused?.Error, refused?.RetryAfter));
        Assert.Equal(calls, _inner.Forwards);
        _inner.Next = _ => new FakeExchange(200);
        Assert.Equal("200", await ExchangeAsync());
    }

    [Fact]
    public async Task Changes_AreMeasuredPerProviderAndModel()
    {
        using var changes = new MetricCollector<long>(_services.Meters, _services.MeterName, "bridgekeeper_upstream_circuit_changes");
        using var state = new MetricCollector<int>(_services.Meters, _services.MeterName, "bridgekeeper_upstream_circuit_state");

        await OpenAsync();
        _time.Advance(Break);
        _inner.Next = _ => new FakeExchange(200);
        await ExchangeAsync();

        Assert.Equal(["opened", "half_open", "closed"], changes.GetMeasurementSnapshot().Select(m => (string)m.Tags["state"]!));
        Assert.All(changes.GetMeasurementSnapshot(), m => Assert.Equal(("anthropic", "model-a"), (m.Tags["provider"], m.Tags["model"])));
        Assert.Equal([0, 2, 1, 0], state.GetMeasurementSnapshot().Select(m => m.Value));
    }

    /// <summary>The inner upstream: answers each send as <see cref="Next"/> says, and counts what reached it.</summary>
    private sealed class Inner : IUpstream
    {
        private int _calls;

        public Func<CancellationToken, Task<UpstreamResult>> Next { get; set; } = _ => new FakeExchange(200);

        public Func<HttpContext, UpstreamFailure?> Forward { get; set; } = _ => null;

        public int Calls => Volatile.Read(ref _calls);

        public int Forwards { get; private set; }

        public Task<UpstreamResult> SendAsync(UpstreamRequest request, RequestFacts facts, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Next(cancellationToken);
        }

        public Task<UpstreamFailure?> ForwardAsync(HttpContext http, string path, string query)
        {
            Forwards++;
            return Task.FromResult(Forward(http));
        }
    }

    /// <summary>An answer with two events (or a small body); it may break off at the end, or hang until its token fires.</summary>
    private sealed class FakeExchange(int status, bool breaksAtEnd = false, bool hangs = false) : UpstreamExchange
    {
        public override int Status => status;

        public override IReadOnlyList<KeyValuePair<string, StringValues>> Headers => [];

        public override bool IsStream => true;

        public static implicit operator Task<UpstreamResult>(FakeExchange exchange) => Task.FromResult<UpstreamResult>(exchange);

        public override async IAsyncEnumerable<SseEvent> ReadEventsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            for (var i = 0; i < 2; i++)
            {
                await HangAsync(cancellationToken);
                yield return new SseEvent("data: {}\n\n"u8.ToArray(), null, "{}"u8.ToArray());
            }
            Break();
        }

        public override async Task<byte[]?> ReadBodyAsync(CancellationToken cancellationToken)
        {
            await HangAsync(cancellationToken);
            Break();
            return breaksAtEnd ? null : "{}"u8.ToArray();
        }

        private Task HangAsync(CancellationToken cancellationToken) => hangs ? Task.Delay(Timeout.Infinite, cancellationToken) : Task.CompletedTask;

        private void Break()
        {
            if (breaksAtEnd)
                Failure = new UpstreamFailure(UpstreamError.ResponseBody, "connection reset");
        }

        public override void Dispose()
        {
        }
    }
}

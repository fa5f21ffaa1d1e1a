using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Bridgekeeper.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Polly;
using Polly.CircuitBreaker;

namespace Bridgekeeper.Providers.Upstreams;

/// <summary>
/// A circuit breaker (Polly.Core) in front of any <see cref="IUpstream"/>, on the seam alone, so it guards HTTP and
/// Bedrock upstreams alike. There is one circuit per model label of the instance (<c>BridgekeeperMetrics.ModelLabel</c>:
/// a model the gateway knows keeps its name, every other model shares <c>other</c>, so circuits are as bounded as
/// metric series) and one for its passthrough routes.
/// <para>
/// What counts as a failure: a failure value from the upstream (nothing answered, the answer broke off, a timeout),
/// a 5xx status (529 included), a stream or body that broke off after a good status (its <see cref="UpstreamExchange.Failure"/>),
/// and an upstream that went silent past the idle timeout, before its headers or while reading. The token the caller
/// passes fires for the idle timeout and for a client that left alike; the request's
/// <see cref="UpstreamRequest.ClientAborted"/> tells them apart, and a client that left never counts as a failure (Polly
/// knows no neutral outcome, so it counts as a success). A request the upstream cannot take as it stands (4xx, the
/// query) is the client's, not the upstream's. A good answer is one execution of the circuit until it has been read
/// through (or dropped), so a stream that breaks off counts once, as a failure; only a half-open circuit's probe is
/// judged at its headers, so the circuit is not held half-open for a whole generation (a probe's stream that breaks
/// later is reported as one more failure).
/// </para>
/// <para>
/// While a circuit is open, <see cref="SendAsync"/> and <see cref="ForwardAsync"/> answer at once with
/// <see cref="UpstreamError.Unavailable"/> and the time until it lets a probe through; the inner upstream is not called.
/// After the break, one request at a time goes through as a probe: a good answer closes the circuit, a failure opens
/// it for another break. Each change is logged once and counted.
/// </para>
/// </summary>
internal sealed partial class GuardedUpstream : IUpstream
{
    /// <summary>The circuit label of the passthrough routes.</summary>
    public const string PassthroughLabel = "passthrough";

    private readonly IUpstream _inner;
    private readonly string _provider;
    private readonly UpstreamServices _services;
    private readonly CircuitOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Circuit> _circuits = new(StringComparer.Ordinal);

    public GuardedUpstream(IUpstream inner, string provider, UpstreamServices services, CircuitOptions? options = null)
    {
        _inner = inner;
        _provider = provider;
        _services = services;
        _options = options ?? CircuitOptions.Default;
        _logger = services.Logs.CreateLogger<GuardedUpstream>();
    }

    public async Task<UpstreamResult> SendAsync(UpstreamRequest request, RequestFacts facts, CancellationToken cancellationToken)
    {
        var circuit = CircuitOf(_services.Metrics.ModelLabel(facts.Model));
        var answer = new TaskCompletionSource<UpstreamResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = circuit.RunAsync(async token =>
        {
            UpstreamResult result;
            try
            {
                result = await _inner.SendAsync(request, facts, token);
            }
            catch (OperationCanceledException exception) when (WentSilent(request))
            {
                answer.SetException(exception);
                return Health.Failed;
            }
            if (result.Failure is { } failure)
            {
                answer.SetResult(result);
                return HealthOf(failure);
            }
            var exchange = result.Exchange!;
            if (!exchange.IsSuccess)
            {
                answer.SetResult(result);
                return exchange.Status >= 500 ? Health.Failed : Health.Good;
            }
            // A probe is judged at its headers, so the circuit is not held half-open for a whole generation; any other
            // good answer is judged when it has been read (or dropped), so a stream that breaks counts once, as a failure.
            var watched = new WatchedExchange(exchange, circuit, request, judgedNow: circuit.IsHalfOpen);
            answer.SetResult(watched);
            return await watched.Verdict;
        }, cancellationToken).AsTask();
        await Task.WhenAny(answer.Task, run);
        if (answer.Task.IsCompletedSuccessfully && answer.Task.Result.Exchange is WatchedExchange { Deferred: true } reading)
        {
            reading.Recorded = run;   // the circuit takes its verdict when it has been read
            return reading;
        }
        if (await run is { } retryAfter)   // the circuit has taken the verdict; rethrows when the client left before the answer
            return Refusal(circuit, retryAfter);
        return await answer.Task;          // rethrows when the upstream went silent before its headers
    }

    /// <summary>The inner upstream's model mapping (Bedrock's), unchanged.</summary>
    public string UpstreamModel(RequestFacts facts) => _inner.UpstreamModel(facts);

    public async Task<UpstreamFailure?> ForwardAsync(HttpContext http, string path, string query)
    {
        var circuit = CircuitOf(PassthroughLabel);
        UpstreamFailure? failure = null;
        var open = await circuit.RunAsync(async _ =>
        {
            failure = await _inner.ForwardAsync(http, path, query);
            return failure is not null ? HealthOf(failure) : http.Response.StatusCode >= 500 ? Health.Failed : Health.Good;
        }, CancellationToken.None);   // the forwarder watches the client itself, and never throws for it
        return open is { } retryAfter ? Refusal(circuit, retryAfter) : failure;
    }

    private Circuit CircuitOf(string label) => _circuits.GetOrAdd(label, static (l, self) => new Circuit(self, l), this);

    private static UpstreamFailure Refusal(Circuit circuit, TimeSpan retryAfter) => new(UpstreamError.Unavailable,
        $"the circuit for {circuit.Label} is open after repeated upstream failures; retry in {Math.Ceiling(retryAfter.TotalSeconds):0} s", retryAfter);

    private static Health HealthOf(UpstreamFailure failure) =>
        failure.Error is UpstreamError.Request or UpstreamError.ResponseBody or UpstreamError.RequestTimedOut ? Health.Failed : Health.Good;

    /// <summary>The send's token fired, but not because the client left: the idle timeout.</summary>
    private static bool WentSilent(UpstreamRequest request) =>
        request.ClientAborted.CanBeCanceled && !request.ClientAborted.IsCancellationRequested;

    private enum Health { Good, Failed }

    /// <summary>One circuit: a Polly pipeline with one circuit-breaker strategy, its changes logged and measured.</summary>
    private sealed class Circuit
    {
        private readonly ResiliencePipeline<Health> _pipeline;
        private readonly CircuitBreakerStateProvider _state = new();
        private readonly TimeSpan _breakDuration;

        public Circuit(GuardedUpstream owner, string label)
        {
            Label = label;
            var (provider, metrics, logger) = (owner._provider, owner._services.Metrics, owner._logger);
            _breakDuration = owner._options.BreakDuration;
            _pipeline = new ResiliencePipelineBuilder<Health> { TimeProvider = owner._services.Time }
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions<Health>
                {
                    FailureRatio = owner._options.FailureRatio,
                    MinimumThroughput = owner._options.MinimumThroughput,
                    SamplingDuration = owner._options.SamplingDuration,
                    BreakDuration = owner._options.BreakDuration,
                    StateProvider = _state,
                    ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result is Health.Failed),
                    OnOpened = args =>
                    {
                        metrics.CircuitChanged(provider, label, "opened");
                        LogOpened(logger, provider, label, args.BreakDuration.TotalSeconds);
                        return ValueTask.CompletedTask;
                    },
                    OnHalfOpened = _ =>
                    {
                        metrics.CircuitChanged(provider, label, "half_open");
                        LogHalfOpened(logger, provider, label);
                        return ValueTask.CompletedTask;
                    },
                    OnClosed = _ =>
                    {
                        metrics.CircuitChanged(provider, label, "closed");
                        LogClosed(logger, provider, label);
                        return ValueTask.CompletedTask;
                    },
                })
                .Build();
            metrics.CircuitCreated(provider, label);
        }

        public string Label { get; }

        /// <summary>True inside the one execution a half-open circuit lets through (the probe).</summary>
        public bool IsHalfOpen => _state.CircuitState is CircuitState.HalfOpen;

        /// <summary>
        /// Runs <paramref name="action"/> through the circuit and returns null; or, while the circuit is open, does not
        /// run it and returns the time until the circuit lets a probe through. An exception of the action is rethrown.
        /// </summary>
        public async ValueTask<TimeSpan?> RunAsync(Func<CancellationToken, Task<Health>> action, CancellationToken cancellationToken)
        {
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            try
            {
                var outcome = await _pipeline.ExecuteOutcomeAsync(
                    static async (context, action) => Outcome.FromResult(await action(context.CancellationToken)), context, action);
                if (outcome.Exception is BrokenCircuitException broken)
                    return broken.RetryAfter is { } after && after > TimeSpan.Zero ? after : _breakDuration;
                outcome.ThrowIfException();
                return null;
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }

        /// <summary>Tells the circuit of a failure found after the verdict (a stream that broke off): one more failed execution.</summary>
        public async Task ReportFailureAsync() => await RunAsync(static _ => Task.FromResult(Health.Failed), CancellationToken.None);
    }

    /// <summary>
    /// A good answer, watched while it is read: it ends well, breaks off (its <see cref="UpstreamExchange.Failure"/>),
    /// or goes silent past the idle timeout. Unless it was judged at its headers, that is its <see cref="Verdict"/>
    /// (dropped unread or left by the client: good, Polly has nothing neutral); once judged, a break is reported to the
    /// circuit as one more failure. Everything else is the inner exchange's.
    /// </summary>
    private sealed class WatchedExchange(UpstreamExchange inner, Circuit circuit, UpstreamRequest request, bool judgedNow) : UpstreamExchange
    {
        private readonly TaskCompletionSource<Health> _verdict = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _ended;

        /// <summary>How the answer went, once it has been read or dropped (good at once when it was judged at its headers).</summary>
        public Task<Health> Verdict => judgedNow ? Task.FromResult(Health.Good) : _verdict.Task;

        /// <summary>Whether the circuit waits for <see cref="Verdict"/> (the answer was not judged at its headers).</summary>
        public bool Deferred => !judgedNow;

        /// <summary>The circuit's execution of this answer, which ends once the circuit has taken the <see cref="Verdict"/>.</summary>
        public Task Recorded { get; set; } = Task.CompletedTask;

        public override int Status => inner.Status;

        public override IReadOnlyList<KeyValuePair<string, StringValues>> Headers => inner.Headers;

        public override bool IsStream => inner.IsStream;

        public override async IAsyncEnumerable<SseEvent> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await using var events = inner.ReadEventsAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                bool more;
                try
                {
                    more = await events.MoveNextAsync();
                }
                catch (OperationCanceledException)
                {
                    await EndAsync(WentSilent(request) ? Health.Failed : Health.Good);
                    throw;
                }
                if (!more)
                    break;
                yield return events.Current;
            }
            await EndAsync(Judge());
        }

        public override async Task<byte[]?> ReadBodyAsync(CancellationToken cancellationToken)
        {
            byte[]? body;
            try
            {
                body = await inner.ReadBodyAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                await EndAsync(WentSilent(request) ? Health.Failed : Health.Good);
                throw;
            }
            await EndAsync(Judge());
            return body;
        }

        private Health Judge()
        {
            Failure = inner.Failure;
            return Failure is { } failure ? HealthOf(failure) : Health.Good;
        }

        private async Task EndAsync(Health health)
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
                return;
            if (!judgedNow)
            {
                _verdict.SetResult(health);
                await Recorded;   // so the next request meets the circuit as this answer left it
            }
            else if (health is Health.Failed)
                await circuit.ReportFailureAsync();
        }

        public override void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0 && !judgedNow)
                _verdict.SetResult(Health.Good);   // dropped before it was read through
            inner.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Provider {Provider}: circuit for {Circuit} opened after repeated upstream failures; requests get 503 for {Seconds:0} s")]
    private static partial void LogOpened(ILogger logger, string provider, string circuit, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Provider {Provider}: circuit for {Circuit} half-open: one probe goes upstream")]
    private static partial void LogHalfOpened(ILogger logger, string provider, string circuit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Provider {Provider}: circuit for {Circuit} closed: the upstream answers again")]
    private static partial void LogClosed(ILogger logger, string provider, string circuit);
}

/// <summary>
/// When a circuit opens (Polly's sampling): at least <see cref="MinimumThroughput"/> requests within
/// <see cref="SamplingDuration"/>, of which <see cref="FailureRatio"/> or more failed; it stays open for
/// <see cref="BreakDuration"/>, then lets one probe through.
/// </summary>
internal sealed record CircuitOptions
{
    public static CircuitOptions Default { get; } = new();

    public double FailureRatio { get; init; } = 0.5;
    public int MinimumThroughput { get; init; } = 5;
    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);
}

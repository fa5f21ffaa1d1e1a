using System.Diagnostics;
using System.Text.Json.Nodes;
using Bridgekeeper.Metrics;
using Bridgekeeper.Providers;
using Bridgekeeper.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Interception;

/// <summary>
/// The path of an intercepted request after its body was read, written once for every API and both kinds of response:
/// send a turn upstream, relay its answer through the turn's observer (a stream event by event as the upstream's own
/// bytes, or one body), record what the turn amounted to, and decide what follows. With nothing injected that is one
/// turn. With injected tools, while a turn ends asking only for them, the loop runs them, the turn appends the calls
/// and results in its API's shape, and the next turn goes upstream; the client keeps receiving one answer. What the
/// client gets is written by a <see cref="ClientWriter"/>. The outcome is decided here, from how the last turn ended
/// or from the failure that stopped it (<see cref="Failures"/>), never assumed up front.
/// </summary>
internal sealed partial class ToolLoop(InterceptionOptions options, TimeProvider time, BridgekeeperMetrics metrics, ILogger<ToolLoop> logger)
{
    public const string OverheadHeader = "x-bridgekeeper-overhead-ms";

    private static readonly IReadOnlySet<string> NothingInjected = new HashSet<string>();

    /// <param name="startedAt">When the client's request arrived (<see cref="TimeProvider.GetTimestamp"/>), for the overhead measure.</param>
    public async Task<Outcome> RunAsync(HttpContext http, Interception interception, IUpstream upstream, UpstreamRequest request, Injection? injection,
        long startedAt)
    {
        using var idle = new IdleTimeout(options.UpstreamIdleTimeout, http.RequestAborted);
        var facts = interception.Facts;
        var loopStartedAt = time.GetTimestamp();
        var state = injection is null ? null : new LoopState(injection.Injected);
        var phase = FailurePhase.UpstreamSend;
        ClientWriter? client = null;
        try
        {
            while (true)
            {
                using var round = StartRound(interception, state?.Turn ?? 1);
                phase = FailurePhase.UpstreamSend;
                var sentAt = time.GetTimestamp();
                var sent = await upstream.SendAsync(request, facts, idle.Token);
                if (sent.Failure is { } unanswered)
                    return await FailAsync(http, interception, client, Failures.Of(unanswered, http.RequestAborted));
                using var exchange = sent.Exchange!;
                phase = FailurePhase.UpstreamResponse;
                if (client is null)
                {
                    var respondedAt = time.GetTimestamp();
                    http.Response.OnStarting(() => MarkOverhead(http, interception, startedAt, sentAt, respondedAt));
                    client = exchange.IsSuccess && exchange.IsStream
                        ? await SseWriter.StartAsync(http, interception.Dialect, exchange, time, options.KeepAliveInterval, idle.Token)
                        : new BlockingWriter(http, interception.Dialect);
                }
                if (!exchange.IsSuccess || !client.Accepts(exchange))
                {
                    if (await exchange.ReadBodyAsync(idle.Token) is not { } errorBody)
                        return await FailAsync(http, interception, client, Failures.Of(exchange.Failure!, http.RequestAborted));
                    await client.RelayUpstreamErrorAsync(exchange, errorBody, idle.Token);
                    return UpstreamStatus(exchange.Status, errorBody);
                }

                var turn = state is null ? new SingleTurn(interception.Dialect.Observe(facts)) : injection!.Dialect.BeginTurn(facts, state);
                UpstreamFailure? cut;
                ExchangeSummary summary;
                try
                {
                    cut = await client.RelayTurnAsync(exchange, turn, idle);
                }
                finally
                {
                    summary = Record(interception, injection, turn, round);   // also after a broken stream: what is known is recorded
                }
                if (cut is not null)
                    return await FailAsync(http, interception, client, Failures.Of(cut, http.RequestAborted));

                switch (await NextAsync(interception, injection, turn, state, request, loopStartedAt, idle))
                {
                    case Step.Final:
                        await client.FinishAsync(turn, idle.Token);
                        return OutcomeOf(summary);
                    case Step.Stopped stop:
                        await client.FailAsync(stop.Error, idle.Token);
                        return stop.Outcome;
                    case Step.Next next:
                        (request, state) = (next.Request, next.State);
                        idle.Reset();
                        break;
                }
            }
        }
        catch (Exception exception)
        {
            var failure = Failures.Classify(exception, http.RequestAborted, idle, phase);
            if (failure.Unexpected)
                LogRelayFault(interception.Id, exception);
            return await FailAsync(http, interception, client, failure);
        }
        finally
        {
            if (client is SseWriter stream)
                await stream.DisposeAsync();
        }
    }

    /// <summary>Ends the client's response for a failure (in its shape, in-stream once started) and gives its outcome.</summary>
    private async Task<Outcome> FailAsync(HttpContext http, Interception interception, ClientWriter? client, Failure failure)
    {
        if (client is SseWriter stream)
            await stream.DisposeAsync();   // no keep-alive may interleave with the error frame
        if (failure.Error is null)
            LogClientClosed(interception.Id);
        else if (!failure.Unexpected)
            LogRelayFailed(interception.Id, interception.Provider.Name, failure.Outcome.StatusName, failure.Outcome.Error);
        await Failures.ReportAsync(http, interception.Dialect, failure.Error);
        return failure.Outcome;
    }

    /// <summary>What follows a turn: the answer was final, a cap stopped the loop, or the injected tools ran and the next turn is ready.</summary>
    private abstract record Step
    {
        public sealed record Final : Step
        {
            public static readonly Final Instance = new();
        }

        public sealed record Stopped(Outcome Outcome, GatewayError Error) : Step;

        public sealed record Next(UpstreamRequest Request, LoopState State) : Step;
    }

    private async Task<Step> NextAsync(Interception interception, Injection? injection, ILoopTurn turn, LoopState? state, UpstreamRequest request,
        long loopStartedAt, IdleTimeout idle)
    {
        if (injection is null || state is null)
            return Step.Final.Instance;
        if (!turn.WantsInjectedTools)
        {
            interception.RecordSkippedCalls(turn.InjectedCalls, "not run: the model called client tools in the same turn, so the turn went to the client");
            return Step.Final.Instance;
        }
        if (state.Turn >= injection.MaxRounds)
            return Stop($"tool_loop_cap: the model still wanted injected tools after {injection.MaxRounds} rounds");
        var remaining = injection.LoopTimeout - time.GetElapsedTime(loopStartedAt);
        var overTime = $"tool_loop_cap: the tool loop ran longer than {injection.LoopTimeout.TotalSeconds:0} s";
        if (remaining <= TimeSpan.Zero)
            return Stop(overTime);

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(idle.Token);
        budget.CancelAfter(remaining);
        IReadOnlyList<ToolOutcome> outcomes;
        try
        {
            outcomes = await injection.RunAsync(turn.InjectedCalls, budget.Token);
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !idle.Token.IsCancellationRequested)
        {
            interception.RecordSkippedCalls(turn.InjectedCalls, $"stopped: {overTime}");
            return Stop(overTime);
        }
        var next = turn.Continue(injection.Request, outcomes);
        return new Step.Next(request with { Head = default, Body = JsonBody.Serialize(injection.Request, request.Length) }, next);
    }

    private static Step.Stopped Stop(string reason) =>
        new(Outcome.Failed(reason), new GatewayError(500, "api_error", $"The gateway stopped its tool loop: {reason}.", "tool_loop_cap"));

    private static Outcome OutcomeOf(ExchangeSummary summary) =>
        summary.Error is { } error ? Outcome.Failed(error)
        : summary.Finished ? Outcome.Completed
        : Outcome.Failed("upstream_stream_cut: the stream ended before its final event");

    private const int MaxRecordedErrorBody = 2048;

    private static Outcome UpstreamStatus(int status, byte[] body) =>
        Outcome.Failed($"upstream returned {status}: {System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, MaxRecordedErrorBody))}");

    /// <summary>The client span of one upstream round (<c>chat {model}</c>, GenAI semantic conventions).</summary>
    private static Activity? StartRound(Interception interception, int turn)
    {
        var round = BridgekeeperMetrics.Tracing.StartActivity($"chat {interception.Facts.Model}", ActivityKind.Client);
        round?.SetTag("gen_ai.operation.name", "chat");
        round?.SetTag("gen_ai.provider.name", interception.Provider.Type);
        round?.SetTag("gen_ai.request.model", interception.Facts.Model);
        round?.SetTag("bridgekeeper.turn", turn);
        return round;
    }

    /// <summary>Records what a turn amounted to (usage with its cost, client tool calls, thoughts) and closes its span.</summary>
    private ExchangeSummary Record(Interception interception, Injection? injection, ILoopTurn turn, Activity? round)
    {
        var summary = turn.Complete();
        var cost = interception.RecordExchange(summary, injection?.Injected ?? NothingInjected);
        if (summary.Usage is { } usage)
            metrics.TokensUsed(interception.Provider.Name, interception.Facts.Model, usage.Input, usage.Output, usage.CacheRead, usage.CacheWrite, usage.Reasoning, cost);
        if (round is not null)
        {
            round.SetTag("gen_ai.response.id", summary.ResponseId);
            round.SetTag("gen_ai.response.model", interception.Facts.Model);
            round.SetTag("gen_ai.usage.input_tokens", summary.Usage is { } u ? u.Input + u.CacheRead + u.CacheWrite : null);
            round.SetTag("gen_ai.usage.output_tokens", summary.Usage?.Output);
            if (summary.Error is not null)
                round.SetStatus(ActivityStatusCode.Error, summary.Error);
            round.Dispose();   // before the tools run: their spans are the round's siblings
        }
        return summary;
    }

    /// <summary>
    /// Gateway overhead up to the first upstream byte: the time before sending upstream, plus the time from the
    /// upstream's response headers to ours. Sent as <c>x-bridgekeeper-overhead-ms</c> and recorded as a metric.
    /// </summary>
    private Task MarkOverhead(HttpContext http, Interception interception, long startedAt, long sentAt, long respondedAt)
    {
        var overhead = time.GetElapsedTime(startedAt, sentAt) + time.GetElapsedTime(respondedAt);
        http.Response.Headers[OverheadHeader] = overhead.TotalMilliseconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        metrics.UpstreamResponded(interception.Provider.Name, interception.Dialect.Name, interception.Facts.Model,
            time.GetElapsedTime(sentAt, respondedAt), overhead, interception.Facts.Stream);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Interception {InterceptionId}: upstream {Provider}: {Status}: {Reason}")]
    private partial void LogRelayFailed(Guid interceptionId, string provider, string status, string? reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Interception {InterceptionId}: client closed the connection")]
    private partial void LogClientClosed(Guid interceptionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Interception {InterceptionId}: the gateway failed while relaying")]
    private partial void LogRelayFault(Guid interceptionId, Exception exception);
}

/// <summary>
/// The injected-tool side of one interception, the loop's input: the dialect's loop support, the injected tool names,
/// the request body the turns keep appending to, how to run calls, and the caps. Null with nothing injected.
/// </summary>
internal sealed record Injection(
    IToolLoopDialect Dialect,
    IReadOnlySet<string> Injected,
    JsonObject Request,
    Func<IReadOnlyList<ToolCall>, CancellationToken, Task<IReadOnlyList<ToolOutcome>>> RunAsync,
    int MaxRounds,
    TimeSpan LoopTimeout);

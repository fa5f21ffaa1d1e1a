using System.Diagnostics;
using Bridgekeeper.Metrics;
using Bridgekeeper.Providers;
using Bridgekeeper.Streaming;

namespace Bridgekeeper.Interception;

/// <summary>
/// The turns of one interception: begins each turn's observer, records what each turn amounted to, and decides after each
/// whether to stop (the answer is final, or a cap was hit) or to run the injected tools and call upstream again.
/// </summary>
internal sealed class TurnSequence(Interception interception, Injection? injection, IUpstream upstream, UpstreamRequest request, TimeProvider time,
    BridgekeeperMetrics metrics)
    : IDisposable
{
    private readonly long _startedAt = time.GetTimestamp();
    private Activity? _round;

    /// <summary>Opens the client span of one upstream round (<c>chat {model}</c>, GenAI semantic conventions).</summary>
    public void StartRound()
    {
        _round?.Dispose();
        _round = BridgekeeperMetrics.Tracing.StartActivity($"chat {interception.Facts.Model}", ActivityKind.Client);
        if (_round is null)
            return;
        _round.SetTag("gen_ai.operation.name", "chat");
        _round.SetTag("gen_ai.provider.name", interception.Provider.Type);
        _round.SetTag("gen_ai.request.model", interception.Facts.Model);
        _round.SetTag("bridgekeeper.turn", injection?.State.Turn ?? 1);
    }

    public void Dispose() => _round?.Dispose();
    private static readonly IReadOnlySet<string> Nothing = new HashSet<string>();

    public IUpstream Upstream => upstream;

    public ILoopTurn Begin() => injection is null
        ? new SingleTurn(interception.Dialect.Observe(interception.Facts))
        : injection.Dialect.BeginTurn(interception.Facts, injection.State);

    public ExchangeSummary Complete(ILoopTurn turn)
    {
        var summary = turn.Complete();
        var cost = interception.RecordExchange(summary, injection?.State.Injected ?? Nothing);
        if (summary.Usage is { } usage)
            metrics.TokensUsed(interception.Provider.Name, interception.Facts.Model, usage.Input, usage.Output, usage.CacheRead, usage.CacheWrite, usage.Reasoning, cost);
        if (_round is not null)
        {
            _round.SetTag("gen_ai.response.id", summary.ResponseId);
            _round.SetTag("gen_ai.response.model", interception.Facts.Model);
            _round.SetTag("gen_ai.usage.input_tokens", summary.Usage is { } u ? u.Input + u.CacheRead + u.CacheWrite : null);
            _round.SetTag("gen_ai.usage.output_tokens", summary.Usage?.Output);
            if (summary.Error is not null)
                _round.SetStatus(ActivityStatusCode.Error, summary.Error);
            _round.Dispose();
            _round = null;
        }
        return summary;
    }

    /// <summary>
    /// After a turn: no request and no outcome means the turn was final; an outcome (with its error) means a cap stopped
    /// the loop; a request is the next turn's, for the relay to send.
    /// </summary>
    public async Task<NextTurn> ContinueAsync(ILoopTurn turn, ExchangeSummary summary, IdleTimeout idle)
    {
        if (injection is null)
            return default;
        if (!turn.WantsInjectedTools)
        {
            interception.RecordSkippedCalls(turn.InjectedCalls, "not run: the model called client tools in the same turn, so the turn went to the client");
            return default;
        }
        var state = injection.State;
        if (state.Turn >= injection.MaxRounds)
            return Stop($"tool_loop_cap: the model still wanted injected tools after {injection.MaxRounds} rounds");
        var remaining = injection.LoopTimeout - time.GetElapsedTime(_startedAt);
        if (remaining <= TimeSpan.Zero)
            return Stop($"tool_loop_cap: the tool loop ran longer than {injection.LoopTimeout.TotalSeconds:0} s");

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(idle.Token);
        budget.CancelAfter(remaining);
        IReadOnlyList<ToolOutcome> outcomes;
        try
        {
            outcomes = await injection.RunAsync(turn.InjectedCalls, budget.Token);
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !idle.Token.IsCancellationRequested)
        {
            var reason = $"tool_loop_cap: the tool loop ran longer than {injection.LoopTimeout.TotalSeconds:0} s";
            interception.RecordSkippedCalls(turn.InjectedCalls, $"stopped: {reason}");
            return Stop(reason);
        }
        injection.Dialect.AppendToolResults(injection.Request, turn, outcomes);
        state.Total = LoopState.Sum(state.Total, summary.Usage);
        state.Turn++;
        idle.Reset();
        StartRound();
        return new NextTurn(request with { Head = default, Body = JsonBody.Serialize(injection.Request, request.Length) }, null, null);
    }

    public static Outcome OutcomeOf(ExchangeSummary summary) =>
        summary.Error is { } error ? Outcome.Failed(error)
        : summary.Finished ? Outcome.Completed
        : Outcome.Failed("upstream_stream_cut: the stream ended before its final event");

    private static NextTurn Stop(string reason) =>
        new(null, Outcome.Failed(reason), new GatewayError(500, "api_error", $"The gateway stopped its tool loop: {reason}.", "tool_loop_cap"));
}

/// <summary>What follows a turn (see <see cref="TurnSequence.ContinueAsync"/>).</summary>
internal readonly record struct NextTurn(UpstreamRequest? Request, Outcome? Outcome, GatewayError? Error);

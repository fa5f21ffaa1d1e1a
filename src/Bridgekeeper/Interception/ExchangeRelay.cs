using Bridgekeeper.Metrics;
using Bridgekeeper.Providers;
using Bridgekeeper.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Interception;

/// <summary>
/// Sends an interception upstream and relays the answer: an error status verbatim (status, headers, body), a stream
/// event by event as the upstream's own bytes, or a whole body. With injected tools it is the hidden loop, written once
/// for every API: while a turn ends asking only for injected tools, it runs them, appends the results through the
/// dialect and calls upstream again, and the client keeps receiving one stream. It decides the interception's outcome:
/// from how the last turn ended, or from the failure (<see cref="Failures"/>) that stopped it.
/// </summary>
internal sealed partial class ExchangeRelay(InterceptionOptions options, TimeProvider time, BridgekeeperMetrics metrics, ILogger<ExchangeRelay> logger)
{
    private const int MaxRecordedErrorBody = 2048;

    /// <param name="startedAt">When the client's request arrived (<see cref="TimeProvider.GetTimestamp"/>), for the overhead measure.</param>
    public async Task<Outcome> RunAsync(HttpContext http, Interception interception, IUpstream upstream, UpstreamRequest request, Injection? injection, long startedAt)
    {
        using var idle = new IdleTimeout(options.UpstreamIdleTimeout, http.RequestAborted);
        using var turns = new TurnSequence(interception, injection, upstream, request, time, metrics);
        var progress = new Progress();
        try
        {
            turns.StartRound();
            var sentAt = time.GetTimestamp();
            using var response = await progress.SendAsync(upstream, request, idle);
            var respondedAt = time.GetTimestamp();
            http.Response.OnStarting(() => MarkOverhead(http, interception, startedAt, sentAt, respondedAt));
            if (!response.IsSuccessStatusCode)
                return await RelayErrorAsync(http, response, idle.Token);
            return IsEventStream(response)
                ? await RelayStreamAsync(http, interception, turns, response, idle, progress)
                : await RelayBodiesAsync(http, interception, turns, response, idle, progress);
        }
        catch (Exception exception)
        {
            var failure = Failures.Classify(exception, http.RequestAborted, idle, progress.Phase);
            if (failure.Unexpected)
                LogRelayFault(interception.Id, exception);
            else if (failure.Error is null)
                LogClientClosed(interception.Id);
            else
                LogRelayFailed(interception.Id, interception.Provider.Name, failure.Outcome.Status, failure.Outcome.Error);
            await Failures.ReportAsync(http, interception.Dialect, failure.Error);
            return failure.Outcome;
        }
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

    public const string OverheadHeader = "x-bridgekeeper-overhead-ms";

    private static async Task<Outcome> RelayErrorAsync(HttpContext http, HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        http.Response.StatusCode = (int)response.StatusCode;
        ForwardedHeaders.CopyResponse(response, http.Response);
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body, http.RequestAborted);
        return UpstreamStatusOutcome(response, body);
    }

    private static Outcome UpstreamStatusOutcome(HttpResponseMessage response, byte[] body) =>
        Outcome.Failed($"upstream returned {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, MaxRecordedErrorBody))}");

    private async Task<Outcome> RelayBodiesAsync(HttpContext http, Interception interception, TurnSequence turns, HttpResponseMessage response, IdleTimeout idle,
        Progress progress)
    {
        var first = response;
        try
        {
            while (true)
            {
                var body = await response.Content.ReadAsByteArrayAsync(idle.Token);
                var turn = turns.Begin();
                turn.OnBody(body);
                var summary = turns.Complete(turn);
                var next = await turns.ContinueAsync(turn, summary, idle);
                if (next.Request is null)
                {
                    if (next.Outcome is { } stop)
                    {
                        await GatewayErrors.WriteAsync(http.Response, interception.Dialect, next.Error!, http.RequestAborted);
                        return stop;
                    }
                    var final = turn.FinalBody(body);
                    http.Response.StatusCode = (int)response.StatusCode;
                    ForwardedHeaders.CopyResponse(response, http.Response);
                    http.Response.ContentLength = final.Length;
                    await http.Response.Body.WriteAsync(final, http.RequestAborted);
                    return TurnSequence.OutcomeOf(summary);
                }
                if (response != first)
                    response.Dispose();
                response = await progress.SendAsync(turns.Upstream, next.Request, idle);
                if (!response.IsSuccessStatusCode)
                    return await RelayErrorAsync(http, response, idle.Token);
            }
        }
        finally
        {
            if (response != first)
                response.Dispose();
        }
    }

    private async Task<Outcome> RelayStreamAsync(HttpContext http, Interception interception, TurnSequence turns, HttpResponseMessage response, IdleTimeout idle,
        Progress progress)
    {
        var dialect = interception.Dialect;
        var first = response;
        http.Response.StatusCode = (int)response.StatusCode;
        ForwardedHeaders.CopyResponse(response, http.Response);
        await using var client = await SseResponse.StartAsync(http.Response, time, dialect.KeepAliveFrame, options.KeepAliveInterval, idle.Token);
        try
        {
            while (true)
            {
                var turn = turns.Begin();
                ExchangeSummary summary;
                try
                {
                    await RelayTurnAsync(client, turns.Upstream, response, turn, idle);
                }
                finally
                {
                    summary = turns.Complete(turn);   // also after a broken stream: whatever usage is known is recorded
                }
                var next = await turns.ContinueAsync(turn, summary, idle);
                if (next.Request is null)
                {
                    if (next.Outcome is { } stop)
                    {
                        await client.WriteAsync(dialect.StreamErrorFrame(next.Error!), idle.Token);
                        return stop;
                    }
                    foreach (var frame in turn.FinalFrames())
                        await client.WriteAsync(frame, idle.Token);
                    return TurnSequence.OutcomeOf(summary);
                }
                if (response != first)
                    response.Dispose();
                response = await progress.SendAsync(turns.Upstream, next.Request, idle);
                if (!response.IsSuccessStatusCode || !IsEventStream(response))
                {
                    var body = await response.Content.ReadAsByteArrayAsync(idle.Token);
                    await client.WriteAsync(dialect.StreamErrorFrame(new GatewayError((int)response.StatusCode, "api_error",
                        $"The upstream failed during the gateway's tool loop ({(int)response.StatusCode}).")), idle.Token);
                    return UpstreamStatusOutcome(response, body);
                }
            }
        }
        finally
        {
            if (response != first)
                response.Dispose();
        }
    }

    /// <summary>Relays one turn's events until the upstream ends the stream; a failure propagates as its exception.</summary>
    private static async Task RelayTurnAsync(SseResponse client, IUpstream upstream, HttpResponseMessage response, ILoopTurn turn, IdleTimeout idle)
    {
        await foreach (var item in upstream.ReadEventsAsync(response, idle.Token))
        {
            idle.Reset();
            switch (turn.OnEvent(item))
            {
                case Relay.Forward:
                    await client.WriteAsync(item.Raw, idle.Token);
                    break;
                case Relay.Replace:
                    await client.WriteAsync(turn.Replacement, idle.Token);
                    break;
            }
        }
    }

    /// <summary>Sends every upstream request of the interception, and knows whether the last one has been answered yet.</summary>
    private sealed class Progress
    {
        public FailurePhase Phase { get; private set; } = FailurePhase.UpstreamSend;

        public async Task<HttpResponseMessage> SendAsync(IUpstream upstream, UpstreamRequest request, IdleTimeout idle)
        {
            Phase = FailurePhase.UpstreamSend;
            var response = await upstream.SendAsync(request, idle.Token);
            Phase = FailurePhase.UpstreamResponse;
            return response;
        }
    }

    private static bool IsEventStream(HttpResponseMessage response) =>
        string.Equals(response.Content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Interception {InterceptionId}: upstream {Provider}: {Status}: {Reason}")]
    private partial void LogRelayFailed(Guid interceptionId, string provider, string status, string? reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Interception {InterceptionId}: client closed the connection")]
    private partial void LogClientClosed(Guid interceptionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Interception {InterceptionId}: the gateway failed while relaying")]
    private partial void LogRelayFault(Guid interceptionId, Exception exception);
}

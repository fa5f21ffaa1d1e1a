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
/// dialect and calls upstream again, and the client keeps receiving one stream. It decides the interception's outcome.
/// </summary>
internal sealed partial class ExchangeRelay(InterceptionOptions options, TimeProvider time, BridgekeeperMetrics metrics, ILogger<ExchangeRelay> logger)
{
    private const int MaxRecordedErrorBody = 2048;

    /// <param name="startedAt">When the client's request arrived (<see cref="TimeProvider.GetTimestamp"/>), for the overhead measure.</param>
    public async Task<Outcome> RunAsync(HttpContext http, Interception interception, IUpstream upstream, UpstreamRequest request, Injection? injection, long startedAt)
    {
        using var idle = new IdleTimeout(options.UpstreamIdleTimeout, http.RequestAborted);
        using var turns = new TurnSequence(interception, injection, upstream, request, time, metrics);
        turns.StartRound();
        var sentAt = time.GetTimestamp();
        var (response, failure) = await SendAsync(http, interception, upstream, request, idle);
        if (response is null)
            return failure!.Value;
        var respondedAt = time.GetTimestamp();
        http.Response.OnStarting(() => MarkOverhead(http, interception, startedAt, sentAt, respondedAt));
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                return await RelayErrorAsync(http, response, idle.Token);
            return IsEventStream(response)
                ? await RelayStreamAsync(http, interception, turns, response, idle)
                : await RelayBodiesAsync(http, interception, turns, response, idle);
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

    private async Task<(HttpResponseMessage?, Outcome?)> SendAsync(HttpContext http, Interception interception, IUpstream upstream,
        UpstreamRequest request, IdleTimeout idle)
    {
        var dialect = interception.Dialect;
        try
        {
            return (await upstream.SendAsync(request, idle.Token), null);
        }
        catch (OperationCanceledException) when (idle.TimedOut)
        {
            await GatewayErrors.WriteAsync(http.Response, dialect, GatewayError.Timeout("The upstream did not answer in time."), http.RequestAborted);
            return (null, Outcome.Failed("upstream_timeout: no response headers within the idle timeout"));
        }
        catch (HttpRequestException exception)
        {
            LogUpstreamUnreachable(interception.Id, interception.Provider.Name, exception.Message);
            await GatewayErrors.WriteAsync(http.Response, dialect, GatewayError.BadGateway($"The upstream provider '{interception.Provider.Name}' could not be reached."), http.RequestAborted);
            return (null, Outcome.Failed($"upstream_unreachable: {exception.Message}"));
        }
    }

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

    private async Task<Outcome> RelayBodiesAsync(HttpContext http, Interception interception, TurnSequence turns, HttpResponseMessage response, IdleTimeout idle)
    {
        while (true)
        {
            var body = await response.Content.ReadAsByteArrayAsync(idle.Token);
            var turn = turns.Begin();
            turn.OnBody(body);
            var summary = turns.Complete(turn);
            var next = await turns.ContinueAsync(turn, summary, idle);
            if (next.Response is null)
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
            response.Dispose();
            response = next.Response;
            if (!response.IsSuccessStatusCode)
                return await RelayErrorAsync(http, response, idle.Token);
        }
    }

    private async Task<Outcome> RelayStreamAsync(HttpContext http, Interception interception, TurnSequence turns, HttpResponseMessage response, IdleTimeout idle)
    {
        var dialect = interception.Dialect;
        http.Response.StatusCode = (int)response.StatusCode;
        ForwardedHeaders.CopyResponse(response, http.Response);
        await using var client = await SseResponse.StartAsync(http.Response, time, dialect.KeepAliveFrame, options.KeepAliveInterval, idle.Token);
        while (true)
        {
            var turn = turns.Begin();
            var relayed = await RelayTurnAsync(http, interception, client, turns.Upstream, response, turn, idle);
            var summary = turns.Complete(turn);
            if (relayed is { } broken)
                return broken;
            var next = await turns.ContinueAsync(turn, summary, idle);
            if (next.Response is null)
            {
                if (next.Outcome is { } stop)
                {
                    await TryWriteAsync(client, dialect.StreamErrorFrame(next.Error!), http);
                    return stop;
                }
                foreach (var frame in turn.FinalFrames())
                    await client.WriteAsync(frame, idle.Token);
                return TurnSequence.OutcomeOf(summary);
            }
            response.Dispose();
            response = next.Response;
            if (!response.IsSuccessStatusCode || !IsEventStream(response))
            {
                var body = await response.Content.ReadAsByteArrayAsync(idle.Token);
                await TryWriteAsync(client, dialect.StreamErrorFrame(new GatewayError((int)response.StatusCode, "api_error",
                    $"The upstream failed during the gateway's tool loop ({(int)response.StatusCode}).")), http);
                return UpstreamStatusOutcome(response, body);
            }
        }
    }

    /// <summary>Relays one turn's events. Null when the stream ran to its end; otherwise how it broke.</summary>
    private async Task<Outcome?> RelayTurnAsync(HttpContext http, Interception interception, SseResponse client, IUpstream upstream,
        HttpResponseMessage response, ILoopTurn turn, IdleTimeout idle)
    {
        var dialect = interception.Dialect;
        try
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
            return null;
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            LogClientClosedMidStream(interception.Id);
            return Outcome.Canceled("client disconnected mid-stream");
        }
        catch (OperationCanceledException) when (idle.TimedOut)
        {
            await TryWriteAsync(client, dialect.StreamErrorFrame(GatewayError.Timeout("The upstream went silent mid-stream.")), http);
            return Outcome.Failed("upstream_timeout: the stream went idle");
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException)
        {
            LogUpstreamBroke(interception.Id, exception.Message);
            await TryWriteAsync(client, dialect.StreamErrorFrame(GatewayError.BadGateway("The upstream connection failed mid-stream.")), http);
            return Outcome.Failed($"upstream_stream_broken: {exception.Message}");
        }
    }

    private static async Task TryWriteAsync(SseResponse client, byte[] frame, HttpContext http)
    {
        try
        {
            await client.WriteAsync(frame, http.RequestAborted);
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            http.Abort();
        }
    }

    private static bool IsEventStream(HttpResponseMessage response) =>
        string.Equals(response.Content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Interception {InterceptionId}: upstream {Provider} unreachable: {Reason}")]
    private partial void LogUpstreamUnreachable(Guid interceptionId, string provider, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Interception {InterceptionId}: upstream stream broke: {Reason}")]
    private partial void LogUpstreamBroke(Guid interceptionId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Interception {InterceptionId}: client closed the connection mid-stream")]
    private partial void LogClientClosedMidStream(Guid interceptionId);
}

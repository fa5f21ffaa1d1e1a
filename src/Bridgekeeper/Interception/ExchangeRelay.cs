using Bridgekeeper.Providers;
using Bridgekeeper.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Interception;

/// <summary>
/// Sends one exchange upstream and relays the answer to the client: an error status verbatim (status, headers, body),
/// a stream event by event as the upstream's own bytes, or a whole body. It decides the interception's outcome.
/// </summary>
internal sealed partial class ExchangeRelay(InterceptionOptions options, TimeProvider time, ILogger<ExchangeRelay> logger)
{
    private const int MaxRecordedErrorBody = 2048;

    public async Task<Outcome> RunAsync(HttpContext http, Interception interception, IUpstream upstream, UpstreamRequest request)
    {
        var dialect = interception.Dialect;
        using var idle = new IdleTimeout(options.UpstreamIdleTimeout, http.RequestAborted);
        HttpResponseMessage response;
        try
        {
            response = await upstream.SendAsync(request, idle.Token);
        }
        catch (OperationCanceledException) when (idle.TimedOut)
        {
            await GatewayErrors.WriteAsync(http.Response, dialect, GatewayError.Timeout("The upstream did not answer in time."), http.RequestAborted);
            return Outcome.Failed("upstream_timeout: no response headers within the idle timeout");
        }
        catch (HttpRequestException exception)
        {
            LogUpstreamUnreachable(interception.Id, interception.Provider.Name, exception.Message);
            await GatewayErrors.WriteAsync(http.Response, dialect, GatewayError.BadGateway($"The upstream provider '{interception.Provider.Name}' could not be reached."), http.RequestAborted);
            return Outcome.Failed($"upstream_unreachable: {exception.Message}");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
                return await RelayErrorAsync(http, response, idle.Token);
            var observer = dialect.Observe(interception.Facts);
            var outcome = IsEventStream(response)
                ? await RelayStreamAsync(http, interception, upstream, response, observer, idle)
                : await RelayBodyAsync(http, response, observer, idle.Token);
            var summary = observer.Complete();
            interception.RecordExchange(summary);
            if (outcome.Status != Storage.InterceptionStatus.Completed)
                return outcome;
            if (summary.Error is { } error)
                return Outcome.Failed(error);
            return summary.Finished ? outcome : Outcome.Failed("upstream_stream_cut: the stream ended before its final event");
        }
    }

    private static async Task<Outcome> RelayErrorAsync(HttpContext http, HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        http.Response.StatusCode = (int)response.StatusCode;
        ForwardedHeaders.CopyResponse(response, http.Response);
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body, http.RequestAborted);
        var text = System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, MaxRecordedErrorBody));
        return Outcome.Failed($"upstream returned {(int)response.StatusCode}: {text}");
    }

    private static async Task<Outcome> RelayBodyAsync(HttpContext http, HttpResponseMessage response, IExchangeObserver observer, CancellationToken ct)
    {
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        observer.OnBody(body);
        http.Response.StatusCode = (int)response.StatusCode;
        ForwardedHeaders.CopyResponse(response, http.Response);
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body, http.RequestAborted);
        return Outcome.Completed;
    }

    private async Task<Outcome> RelayStreamAsync(HttpContext http, Interception interception, IUpstream upstream,
        HttpResponseMessage response, IExchangeObserver observer, IdleTimeout idle)
    {
        var dialect = interception.Dialect;
        http.Response.StatusCode = (int)response.StatusCode;
        ForwardedHeaders.CopyResponse(response, http.Response);
        await using var client = await SseResponse.StartAsync(http.Response, time, dialect.KeepAliveFrame, options.KeepAliveInterval, idle.Token);
        try
        {
            await foreach (var item in upstream.ReadEventsAsync(response, idle.Token))
            {
                idle.Reset();
                if (observer.OnEvent(item) is Relay.Forward)
                    await client.WriteAsync(item.Raw, idle.Token);
            }
            return Outcome.Completed;
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

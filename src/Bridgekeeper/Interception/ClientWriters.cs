using Bridgekeeper.Providers;
using Bridgekeeper.Providers.Upstreams;
using Bridgekeeper.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Bridgekeeper.Interception;

/// <summary>
/// How the client receives what the tool loop (<see cref="ToolLoop"/>) decides: as an event stream (<see cref="SseWriter"/>)
/// or as one body (<see cref="BlockingWriter"/>). The loop is the same for both; a writer only knows how one turn's
/// answer is fed to its observer and what reaches the client for it, for the final answer, and for an error.
/// </summary>
internal abstract class ClientWriter
{
    /// <summary>Feeds one upstream answer to the turn and relays what the turn lets through; returns the failure that cut it.</summary>
    public abstract Task<UpstreamFailure?> RelayTurnAsync(UpstreamExchange exchange, ILoopTurn turn, IdleTimeout idle);

    /// <summary>Whether a later turn's successful answer is of the kind this writer relays (a stream stays a stream).</summary>
    public abstract bool Accepts(UpstreamExchange exchange);

    /// <summary>The last turn's closing part: the held-back frames, or the merged body.</summary>
    public abstract Task FinishAsync(ILoopTurn turn, CancellationToken cancellationToken);

    /// <summary>An error of the gateway's own (a loop cap, a failure), in the dialect's shape.</summary>
    public abstract Task FailAsync(GatewayError error, CancellationToken cancellationToken);

    /// <summary>An upstream answer with an error status (or of the wrong kind) and its body.</summary>
    public abstract Task RelayUpstreamErrorAsync(UpstreamExchange exchange, byte[] body, CancellationToken cancellationToken);

    /// <summary>Sets the upstream's status and relayable headers on a response that has not started.</summary>
    protected static void Head(HttpResponse response, int status, IReadOnlyList<KeyValuePair<string, StringValues>> headers)
    {
        response.StatusCode = status;
        ForwardedHeaders.CopyTo(headers, response);
    }
}

/// <summary>One body per exchange: the last turn's body (merged over the turns) or an upstream error, each with its status and headers.</summary>
internal sealed class BlockingWriter(HttpContext http, IApiDialect dialect) : ClientWriter
{
    private (int Status, IReadOnlyList<KeyValuePair<string, StringValues>> Headers, byte[] Body) _last;

    public override async Task<UpstreamFailure?> RelayTurnAsync(UpstreamExchange exchange, ILoopTurn turn, IdleTimeout idle)
    {
        if (await exchange.ReadBodyAsync(idle.Token) is not { } body)
            return exchange.Failure;
        _last = (exchange.Status, exchange.Headers, body);
        turn.OnBody(body);
        return null;
    }

    public override bool Accepts(UpstreamExchange exchange) => true;

    public override Task FinishAsync(ILoopTurn turn, CancellationToken cancellationToken) =>
        WriteAsync(_last.Status, _last.Headers, turn.FinalBody(_last.Body));

    public override Task FailAsync(GatewayError error, CancellationToken cancellationToken) =>
        GatewayErrors.WriteAsync(http.Response, dialect, error, http.RequestAborted);

    public override Task RelayUpstreamErrorAsync(UpstreamExchange exchange, byte[] body, CancellationToken cancellationToken) =>
        WriteAsync(exchange.Status, exchange.Headers, body);

    private async Task WriteAsync(int status, IReadOnlyList<KeyValuePair<string, StringValues>> headers, ReadOnlyMemory<byte> body)
    {
        Head(http.Response, status, headers);
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body, http.RequestAborted);
    }
}

/// <summary>
/// One event stream over every turn: started with the first answer's status and headers, each event as the turn
/// decides (the upstream's bytes, nothing, or a rewritten frame), keep-alives while idle, and errors in-stream.
/// </summary>
internal sealed class SseWriter : ClientWriter, IAsyncDisposable
{
    private readonly IApiDialect _dialect;
    private readonly SseResponse _client;
    private bool _disposed;

    private SseWriter(IApiDialect dialect, SseResponse client) => (_dialect, _client) = (dialect, client);

    /// <summary>Commits the client's response with the first answer's status and headers.</summary>
    public static async Task<SseWriter> StartAsync(HttpContext http, IApiDialect dialect, UpstreamExchange first, TimeProvider time,
        TimeSpan keepAliveInterval, CancellationToken cancellationToken)
    {
        Head(http.Response, first.Status, first.Headers);
        return new SseWriter(dialect, await SseResponse.StartAsync(http.Response, time, dialect.KeepAliveFrame, keepAliveInterval, cancellationToken));
    }

    /// <remarks>
    /// Frames that came in one upstream read go out in one flush (as YARP does): a frame is held back while the next
    /// one is already buffered (the read completes at once), and what is held is flushed as soon as the next read must
    /// wait for the upstream, so the first token is never kept waiting.
    /// </remarks>
    public override async Task<UpstreamFailure?> RelayTurnAsync(UpstreamExchange exchange, ILoopTurn turn, IdleTimeout idle)
    {
        await using var items = exchange.ReadEventsAsync(idle.Token).GetAsyncEnumerator(idle.Token);
        while (true)
        {
            var next = items.MoveNextAsync();
            if (!next.IsCompleted)
                await FlushWhileReadingAsync(next, idle.Token);
            if (!await next)
                break;
            idle.Reset();
            var item = items.Current;
            var action = turn.OnEvent(item);
            if (action.Relay == Relay.Forward)
                await _client.WriteAsync(item.Raw, flush: false, idle.Token);
            else if (action.Relay == Relay.Replace)
                await _client.WriteAsync(action.Frame, flush: false, idle.Token);
        }
        await _client.FlushAsync(idle.Token);
        return exchange.Failure;
    }

    /// <summary>
    /// Flushes while the next read is pending. Should the flush fail (the client left), the read is awaited before the
    /// failure is thrown, so the enumerator is never disposed mid-read; the client's abort cancels the read too.
    /// </summary>
    private async Task FlushWhileReadingAsync(ValueTask<bool> read, CancellationToken cancellationToken)
    {
        try
        {
            await _client.FlushAsync(cancellationToken);
        }
        catch (Exception)
        {
            try
            {
                await read;
            }
            catch (Exception)
            {
                // The flush's failure is the one to report.
            }
            throw;
        }
    }

    public override bool Accepts(UpstreamExchange exchange) => exchange.IsStream;

    public override async Task FinishAsync(ILoopTurn turn, CancellationToken cancellationToken)
    {
        foreach (var frame in turn.FinalFrames())
            await _client.WriteAsync(frame, cancellationToken);
    }

    public override async Task FailAsync(GatewayError error, CancellationToken cancellationToken) =>
        await _client.WriteAsync(_dialect.StreamErrorFrame(error), cancellationToken);

    public override Task RelayUpstreamErrorAsync(UpstreamExchange exchange, byte[] body, CancellationToken cancellationToken) =>
        FailAsync(new GatewayError(exchange.Status, "api_error", $"The upstream failed during the gateway's tool loop ({exchange.Status})."), cancellationToken);

    /// <summary>Stops the keep-alives; safe to call again.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await _client.DisposeAsync();
    }
}

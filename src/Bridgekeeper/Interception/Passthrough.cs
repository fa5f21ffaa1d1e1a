using Bridgekeeper.Auth;
using Bridgekeeper.Metrics;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.Upstreams;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Interception;

/// <summary>
/// Allow-listed routes (<c>/v1/models</c>, <c>count_tokens</c>, ...) are forwarded unrecorded through the provider's
/// upstream (<see cref="IUpstream.ForwardAsync"/>: for HTTP, YARP's forwarder). The path sent is built from the route's
/// template and its validated <c>{id}</c> (<see cref="UpstreamUris"/>), never from the client's path (copilot's
/// catch-all aside: the client's path, every segment validated, <see cref="UpstreamUris.AnyPath"/>); the client's key
/// is checked here and never forwarded; a stored response is served only to the user who created it
/// (<see cref="ResponseOwners"/>); a request body is read under the same limit as on the intercepted routes.
/// </summary>
internal sealed partial class Passthrough(KeyAuthenticator authenticator, RequestBody bodies, KeyConcurrency concurrency, ResponseOwners owners,
    BridgekeeperMetrics metrics, ILogger<Passthrough> logger)
{
    public async Task HandleAsync(HttpContext http, Provider provider, PassthroughRoute route)
    {
        var ct = http.RequestAborted;
        var dialect = provider.ErrorDialect;
        if (await ProviderKeys.AuthenticateAsync(authenticator, http, dialect) is not { } user)
            return;
        using var lease = concurrency.TryEnter(user.KeyId);
        if (!lease.Entered)
        {
            await concurrency.RefuseAsync(http, dialect);
            return;
        }
        if (provider.Upstream is not { } upstream)
        {
            await GatewayErrors.WriteAsync(http.Response, dialect, GatewayError.Unavailable($"The provider '{provider.Name}' has no upstream key configured."), ct);
            return;
        }
        var id = http.Request.RouteValues[UpstreamUris.IdParameter] is string raw ? Uri.UnescapeDataString(raw) : null;
        var path = route.IsAnyPath
            ? UpstreamUris.AnyPath(http.Request.RouteValues[UpstreamUris.PathParameter] as string, out var problem)
            : UpstreamUris.RoutePath(route.Pattern, id, out problem);
        if (path is null)
        {
            await GatewayErrors.WriteAsync(http.Response, dialect, GatewayError.InvalidRequest(
                $"{http.Request.Method} {(route.IsAnyPath ? http.Request.Path : route.Pattern)}: {problem}."), ct);
            return;
        }
        if (route.OwnedId && !await owners.IsOwnerAsync(id!, user.Id, ct))
        {
            LogNotOwner(provider.Name, user.Name);
            await GatewayErrors.WriteAsync(http.Response, dialect, new GatewayError(404, "invalid_request_error", $"Response with id '{id}' not found."), ct);
            return;
        }
        using var held = HttpMethods.IsPost(http.Request.Method) ? await BufferBodyAsync(http) : null;
        if (held is { Error: { } refused })
        {
            if (refused.Status == StatusCodes.Status503ServiceUnavailable)
                http.Response.Headers.RetryAfter = "1";
            await GatewayErrors.WriteAsync(http.Response, dialect, refused, ct);
            return;
        }

        var failure = await upstream.ForwardAsync(http, path, http.Request.QueryString.Value ?? "");
        metrics.PassthroughServed(provider.Name, http.Response.StatusCode);
        if (failure is null)
            return;
        LogForwardFailed(provider.Name, failure.Error, failure.Detail);
        if (http.Response.HasStarted || ct.IsCancellationRequested)
            return;
        http.Response.Clear();
        var answer = failure.Error switch
        {
            UpstreamError.Client => null,
            UpstreamError.Target => GatewayError.InvalidRequest($"{http.Request.Method} {route.Pattern}: the query string cannot be forwarded."),
            UpstreamError.RequestTimedOut => GatewayError.Timeout($"The upstream provider '{provider.Name}' did not answer in time."),
            UpstreamError.Unavailable => Failures.CircuitOpen(failure),
            _ => GatewayError.BadGateway($"The upstream provider '{provider.Name}' could not be reached."),
        };
        if (answer is not null)
            await GatewayErrors.WriteAsync(http.Response, dialect, answer, ct);
    }

    /// <summary>
    /// Reads a passthrough body (<c>count_tokens</c>) whole, under the same bounds as the intercepted routes, and forwards
    /// it from memory with its exact length.
    /// </summary>
    private async Task<BufferedBody> BufferBodyAsync(HttpContext http)
    {
        var (body, reservation, error) = await bodies.ReadAsync(http.Request, http.RequestAborted);
        if (body is not null)
        {
            http.Request.Body = new MemoryStream(body, writable: false);
            http.Request.ContentLength = body.Length;
        }
        return new BufferedBody(reservation, error);
    }

    private sealed record BufferedBody(RequestBody.Reservation? Reservation, GatewayError? Error) : IDisposable
    {
        public void Dispose() => Reservation?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Passthrough to {Provider}: refused {User} a stored response that is not theirs")]
    private partial void LogNotOwner(string provider, string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Passthrough to {Provider} failed: {Error}: {Detail}")]
    private partial void LogForwardFailed(string provider, UpstreamError error, string detail);
}

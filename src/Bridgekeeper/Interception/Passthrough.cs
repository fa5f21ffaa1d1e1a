using Bridgekeeper.Auth;
using Bridgekeeper.Metrics;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.Upstreams;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Bridgekeeper.Interception;

/// <summary>
/// Allow-listed routes (<c>/v1/models</c>, <c>count_tokens</c>, ...) go through YARP's forwarder unrecorded. The upstream
/// URI is built from the route's template and its validated <c>{id}</c> (<see cref="UpstreamUris"/>), never from the
/// client's path; the client's key is checked and removed, and the provider's key is attached; the request is never
/// upgraded (no WebSocket reaches the upstream with the gateway's key); a stored response is served only to the user who
/// created it (<see cref="ResponseOwners"/>); a request body is read under the same limit as on
/// the intercepted routes. Everything else, including compression, is the forwarder's faithful default.
/// </summary>
internal sealed partial class Passthrough(KeyAuthenticator authenticator, IHttpForwarder forwarder, HttpMessageInvoker invoker,
    RequestBody bodies, KeyConcurrency concurrency, ResponseOwners owners, BridgekeeperMetrics metrics, ILogger<Passthrough> logger)
{
    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromMinutes(2) };

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
        if (provider.Settings.Key is null)
        {
            await GatewayErrors.WriteAsync(http.Response, dialect, GatewayError.Unavailable($"The provider '{provider.Name}' has no upstream key configured."), ct);
            return;
        }
        var id = http.Request.RouteValues[UpstreamUris.IdParameter] is string raw ? Uri.UnescapeDataString(raw) : null;
        if (UpstreamUris.RoutePath(route.Pattern, id, out var problem) is not { } path
            || UpstreamUris.Resolve(provider.Settings, path, http.Request.QueryString.Value ?? "") is not { } target)
        {
            await GatewayErrors.WriteAsync(http.Response, dialect, GatewayError.InvalidRequest(
                $"{http.Request.Method} {route.Pattern}: {problem ?? "the query string cannot be forwarded"}."), ct);
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
        http.Features.Set<IHttpUpgradeFeature>(NotUpgradable.Instance);

        var error = await forwarder.SendAsync(http, target.GetLeftPart(UriPartial.Authority), invoker, RequestConfig, new KeySwap(provider, target));
        metrics.PassthroughServed(provider.Name, http.Response.StatusCode);
        if (error is ForwarderError.None)
            return;
        LogForwardFailed(provider.Name, error);
        if (http.Response.HasStarted)
            return;
        http.Response.Clear();
        var answer = error switch
        {
            ForwarderError.RequestBodyClient or ForwarderError.RequestCanceled or ForwarderError.ResponseBodyClient => null,
            ForwarderError.RequestTimedOut => GatewayError.Timeout($"The upstream provider '{provider.Name}' did not answer in time."),
            _ => GatewayError.BadGateway($"The upstream provider '{provider.Name}' could not be reached."),
        };
        if (answer is not null && !ct.IsCancellationRequested)
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

    /// <summary>Removes client credentials and every header that must not go upstream, attaches the provider key, and targets the built URI.</summary>
    private sealed class KeySwap(Provider provider, Uri target) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix,
            CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.RequestUri = target;
            proxyRequest.Headers.Host = null;
            ForwardedHeaders.SanitizeUpstream(httpContext.Request.Headers, proxyRequest);
            HttpUpstream.AttachKey(proxyRequest.Headers, provider.Settings);
        }

        public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse,
            CancellationToken cancellationToken)
        {
            var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
            ForwardedHeaders.SanitizeResponse(httpContext.Response);
            return proceed;
        }
    }

    /// <summary>Makes the forwarder treat an <c>Upgrade</c> request as a plain one: passthrough never upgrades.</summary>
    private sealed class NotUpgradable : IHttpUpgradeFeature
    {
        public static readonly NotUpgradable Instance = new();

        public bool IsUpgradableRequest => false;

        public Task<Stream> UpgradeAsync() => throw new InvalidOperationException("Passthrough requests are never upgraded.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Passthrough to {Provider}: refused {User} a stored response that is not theirs")]
    private partial void LogNotOwner(string provider, string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Passthrough to {Provider} failed: {Error}")]
    private partial void LogForwardFailed(string provider, ForwarderError error);
}

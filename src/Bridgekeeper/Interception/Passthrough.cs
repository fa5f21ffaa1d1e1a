using Bridgekeeper.Auth;
using Bridgekeeper.Metrics;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.Upstreams;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Bridgekeeper.Interception;

/// <summary>
/// Allow-listed routes (<c>/v1/models</c>, <c>count_tokens</c>, ...) go through YARP's forwarder unrecorded. Only the
/// credentials change: the client's key is checked and removed, and the provider's key is attached. Everything else,
/// including compression, is the forwarder's faithful default.
/// </summary>
internal sealed partial class Passthrough(KeyAuthenticator authenticator, IHttpForwarder forwarder, HttpMessageInvoker invoker,
    BridgekeeperMetrics metrics, ILogger<Passthrough> logger)
{
    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromMinutes(2) };

    public async Task HandleAsync(HttpContext http, Provider provider)
    {
        var ct = http.RequestAborted;
        if (await ProviderKeys.AuthenticateAsync(authenticator, http, provider.ErrorDialect) is null)
            return;
        if (provider.Settings.Key is null)
        {
            await GatewayErrors.WriteAsync(http.Response, provider.ErrorDialect, GatewayError.Unavailable($"The provider '{provider.Name}' has no upstream key configured."), ct);
            return;
        }

        var relative = InterceptionEndpoint.RelativePath(http.Request.Path.Value!, provider.Name) + http.Request.QueryString.Value;
        var target = UpstreamUris.Resolve(provider.Settings, relative);
        var error = await forwarder.SendAsync(http, target.GetLeftPart(UriPartial.Authority), invoker, RequestConfig, new KeySwap(provider, target));
        metrics.PassthroughServed(provider.Name, http.Response.StatusCode);
        if (error is not ForwarderError.None)
        {
            LogForwardFailed(provider.Name, error);
            if (!http.Response.HasStarted && error is ForwarderError.Request or ForwarderError.RequestTimedOut)
                await GatewayErrors.WriteAsync(http.Response, provider.ErrorDialect, GatewayError.BadGateway($"The upstream provider '{provider.Name}' could not be reached."), ct);
        }
    }

    /// <summary>Removes client credentials and our own headers, attaches the provider key, and targets the mapped URI.</summary>
    private sealed class KeySwap(Provider provider, Uri target) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix,
            CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.RequestUri = target;
            proxyRequest.Headers.Host = null;
            proxyRequest.Headers.Remove("Cookie");
            foreach (var name in proxyRequest.Headers.Select(h => h.Key).Where(ForwardedHeaders.IsOurs).ToList())
                proxyRequest.Headers.Remove(name);
            HttpUpstream.AttachKey(proxyRequest.Headers, provider.Settings);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Passthrough to {Provider} failed: {Error}")]
    private partial void LogForwardFailed(string provider, ForwarderError error);
}

using System.Diagnostics;
using System.Net;

namespace Bridgekeeper.Providers.Upstreams;

/// <summary>
/// The one handler every upstream call shares, with defaults that suit a proxy (YARP's choices). No
/// <c>ActivityHeadersPropagator</c>: without one, <see cref="SocketsHttpHandler"/> leaves its diagnostics handler out,
/// which would otherwise start an <see cref="Activity"/> on every upstream call made under a current activity (the
/// host's request activity, our own spans) although nothing exports <c>System.Net.Http</c> spans; and no
/// <c>traceparent</c> goes to a provider. Our own client span (<c>chat {model}</c>) is the upstream call's span.
/// </summary>
internal static class UpstreamHttp
{
    public static HttpMessageInvoker CreateInvoker() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = null,
    }, disposeHandler: true);
}

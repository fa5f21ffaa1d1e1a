using System.Diagnostics;
using System.Net;

namespace Bridgekeeper.Providers.Upstreams;

/// <summary>The one handler every upstream call shares, with defaults that suit a proxy (YARP's choices).</summary>
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
        ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
    }, disposeHandler: true);
}

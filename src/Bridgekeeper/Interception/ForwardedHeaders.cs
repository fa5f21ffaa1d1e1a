using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Bridgekeeper.Interception;

/// <summary>
/// Which headers cross the gateway (SPEC §7): the client's headers go upstream except hop-by-hop ones, <c>Host</c>,
/// <c>Content-Length</c>, client credentials and our own; upstream response headers come back except hop-by-hop ones.
/// </summary>
internal static class ForwardedHeaders
{
    private static readonly FrozenSet<string> HopByHop = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Host", "Content-Length", "Expect");

    private static readonly FrozenSet<string> NeverUpstream = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "Authorization", "X-Api-Key", "Cookie", "Content-Type", "Accept-Encoding");

    /// <summary>Client headers to send upstream on an intercepted route (we must read the events, so no compression).</summary>
    public static IReadOnlyList<KeyValuePair<string, StringValues>> ForUpstream(IHeaderDictionary headers)
    {
        var forwarded = new List<KeyValuePair<string, StringValues>>(headers.Count);
        foreach (var header in headers)
        {
            if (HopByHop.Contains(header.Key) || NeverUpstream.Contains(header.Key) || IsOurs(header.Key) || header.Key.StartsWith(':'))
                continue;
            forwarded.Add(header);
        }
        return forwarded;
    }

    /// <summary>
    /// Copies upstream response headers (status line aside) onto the client response, as received: through
    /// <see cref="System.Net.Http.Headers.HttpHeaders.NonValidated"/>, as YARP does, because enumerating the validated
    /// view parses every value into typed objects (measured on the streaming path before the first byte).
    /// </summary>
    public static void CopyResponse(HttpResponseMessage upstream, HttpResponse response)
    {
        Copy(upstream.Headers.NonValidated, response);
        Copy(upstream.Content.Headers.NonValidated, response);
    }

    private static void Copy(System.Net.Http.Headers.HttpHeadersNonValidated headers, HttpResponse response)
    {
        foreach (var (name, values) in headers)
        {
            if (HopByHop.Contains(name))
                continue;
            if (values.Count == 1)
            {
                response.Headers[name] = values.ToString();
                continue;
            }
            var all = new string[values.Count];
            var i = 0;
            foreach (var value in values)
                all[i++] = value;
            response.Headers[name] = all;
        }
    }

    public static bool IsOurs(string name) => name.StartsWith("X-Bridgekeeper-", StringComparison.OrdinalIgnoreCase);
}

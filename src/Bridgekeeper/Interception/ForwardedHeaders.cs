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

    /// <summary>Copies upstream response headers (status line aside) onto the client response.</summary>
    public static void CopyResponse(HttpResponseMessage upstream, HttpResponse response)
    {
        foreach (var (name, values) in upstream.Headers)
            if (!HopByHop.Contains(name))
                response.Headers[name] = values.ToArray();
        foreach (var (name, values) in upstream.Content.Headers)
            if (!HopByHop.Contains(name))
                response.Headers[name] = values.ToArray();
    }

    public static bool IsOurs(string name) => name.StartsWith("X-Bridgekeeper-", StringComparison.OrdinalIgnoreCase);
}

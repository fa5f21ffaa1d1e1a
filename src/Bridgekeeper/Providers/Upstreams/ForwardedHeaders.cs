using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Bridgekeeper.Providers.Upstreams;

/// <summary>
/// Which headers cross the gateway (SPEC §7), for intercepted and passthrough routes alike. The client's headers go
/// upstream except hop-by-hop ones (and any header the client's <c>Connection</c> names), <c>Host</c>,
/// <c>Content-Length</c>, client credentials, the billing selectors that belong to the gateway's key
/// (<c>OpenAI-Organization</c>, <c>OpenAI-Project</c>), method overrides, cookies and our own headers. Upstream response
/// headers come back except hop-by-hop ones, cookies the upstream sets for its account, and the organization (and
/// project) of the gateway's key.
/// </summary>
internal static class ForwardedHeaders
{
    private static readonly FrozenSet<string> HopByHop = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "HTTP2-Settings", "Host", "Content-Length", "Expect",
        "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol", "Sec-WebSocket-Accept");

    private static readonly FrozenSet<string> NeverUpstream = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "Authorization", "X-Api-Key", "Cookie", "OpenAI-Organization", "OpenAI-Project",
        "X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override");

    /// <summary>Not sent upstream on intercepted routes: the gateway sets the body's type and must read the events uncompressed.</summary>
    private static readonly FrozenSet<string> BodyHeaders = FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "Content-Type", "Accept-Encoding");

    private static readonly FrozenSet<string> NeverToClient = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "Set-Cookie", "Set-Cookie2", "openai-organization", "openai-project", "anthropic-organization-id");

    /// <summary>Client headers to send upstream on an intercepted route (we must read the events, so no compression).</summary>
    public static IReadOnlyList<KeyValuePair<string, StringValues>> ForUpstream(IHeaderDictionary headers)
    {
        var named = NamedByConnection(headers);
        var forwarded = new List<KeyValuePair<string, StringValues>>(headers.Count);
        foreach (var header in headers)
        {
            if (GoesUpstream(header.Key, named) && !BodyHeaders.Contains(header.Key))
                forwarded.Add(header);
        }
        return forwarded;
    }

    /// <summary>
    /// Removes from a passthrough request (already copied from the client by YARP) every header that must not go upstream.
    /// Body headers stay: passthrough relays the body as the client sent it.
    /// </summary>
    public static void SanitizeUpstream(IHeaderDictionary client, HttpRequestMessage proxyRequest)
    {
        var named = NamedByConnection(client);
        foreach (var name in proxyRequest.Headers.NonValidated.Select(h => h.Key).Where(name => !GoesUpstream(name, named)).ToList())
            proxyRequest.Headers.Remove(name);
        if (proxyRequest.Content is { } content)
            foreach (var name in content.Headers.NonValidated.Select(h => h.Key).Where(name => !GoesUpstream(name, named) && !IsBodyFraming(name)).ToList())
                content.Headers.Remove(name);
    }

    /// <summary>
    /// The upstream response's headers (status line aside) that may reach the client, as received: read through
    /// <see cref="System.Net.Http.Headers.HttpHeaders.NonValidated"/>, as YARP does, because enumerating the validated
    /// view parses every value into typed objects (measured on the streaming path before the first byte).
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, StringValues>> ForClient(HttpResponseMessage upstream)
    {
        var relayed = new List<KeyValuePair<string, StringValues>>(16);
        Collect(upstream.Headers.NonValidated, relayed);
        Collect(upstream.Content.Headers.NonValidated, relayed);
        return relayed;
    }

    /// <summary>Sets relayed headers (from <see cref="ForClient"/>) on the client's response.</summary>
    public static void CopyTo(IReadOnlyList<KeyValuePair<string, StringValues>> headers, HttpResponse response)
    {
        foreach (var (name, values) in headers)
            response.Headers[name] = values;
    }

    /// <summary>Removes from a response YARP already copied the headers the client must never see.</summary>
    public static void SanitizeResponse(HttpResponse response)
    {
        foreach (var name in NeverToClient)
            response.Headers.Remove(name);
    }

    public static bool IsOurs(string name) => name.StartsWith("X-Bridgekeeper-", StringComparison.OrdinalIgnoreCase);

    private static bool GoesUpstream(string name, string[]? namedByConnection) =>
        !HopByHop.Contains(name) && !NeverUpstream.Contains(name) && !IsOurs(name) && !name.StartsWith(':')
        && (namedByConnection is null || !namedByConnection.Contains(name, StringComparer.OrdinalIgnoreCase));

    /// <summary>Content-Length stays on a passthrough body: YARP frames the body it streams by it.</summary>
    private static bool IsBodyFraming(string name) => name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The headers the client's <c>Connection</c> header names (hop-by-hop by RFC 9110 §7.6.1), or null when it names
    /// none beyond the usual <c>keep-alive</c> and <c>close</c> (which allocates nothing).
    /// </summary>
    private static string[]? NamedByConnection(IHeaderDictionary headers)
    {
        var connection = headers.Connection;
        if (connection.Count == 0 || (connection.Count == 1 && connection[0] is { } only
            && (only.Equals("keep-alive", StringComparison.OrdinalIgnoreCase) || only.Equals("close", StringComparison.OrdinalIgnoreCase))))
            return null;
        return [.. connection.SelectMany(value => (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))];
    }

    private static void Collect(System.Net.Http.Headers.HttpHeadersNonValidated headers, List<KeyValuePair<string, StringValues>> relayed)
    {
        foreach (var (name, values) in headers)
        {
            if (HopByHop.Contains(name) || NeverToClient.Contains(name))
                continue;
            if (values.Count == 1)
            {
                relayed.Add(new(name, values.ToString()));
                continue;
            }
            var all = new string[values.Count];
            var i = 0;
            foreach (var value in values)
                all[i++] = value;
            relayed.Add(new(name, all));
        }
    }
}

using Bridgekeeper.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Bridgekeeper.Providers;

/// <summary>
/// Destination and transport of one provider instance: where a request goes, how it is authenticated and framed, and
/// how the answer is read back. Everything above it (the dialects, the loop, the writers) sees only
/// <see cref="UpstreamExchange"/>s and <see cref="UpstreamFailure"/> values, so an upstream with another transport
/// (signed requests, a binary event stream, errors in another shape: Bedrock) plugs in here without touching them.
/// </summary>
internal interface IUpstream
{
    /// <summary>
    /// Sends one intercepted request and returns at the response headers (the body is never buffered). Transport
    /// failures are values, never exceptions; only cancellation of <paramref name="cancellationToken"/> throws.
    /// </summary>
    /// <param name="facts">What the request asks for (the model, whether it streams), for upstreams whose path or framing depends on it.</param>
    Task<UpstreamResult> SendAsync(UpstreamRequest request, RequestFacts facts, CancellationToken cancellationToken);

    /// <summary>
    /// Forwards an allow-listed passthrough request as the client sent it (method, body, most headers) to
    /// <paramref name="path"/> (built from the route's template) and <paramref name="query"/>, with the provider's
    /// credentials, and relays the answer to the client. Never upgrades the connection.
    /// </summary>
    /// <returns>Null when the answer was relayed; otherwise what failed (the response may have started).</returns>
    Task<UpstreamFailure?> ForwardAsync(HttpContext http, string path, string query);

    /// <summary>
    /// The model this upstream will call for a request: the client's own, unless the upstream maps names (Bedrock). It
    /// is recorded beside the client's model and is the one priced.
    /// </summary>
    string UpstreamModel(RequestFacts facts) => facts.Model;
}

/// <summary>One upstream call of an intercepted route.</summary>
/// <param name="Path">The route's path relative to the API root, from its template, e.g. <c>v1/messages</c>.</param>
/// <param name="Query">The client's query string, empty or starting with <c>?</c> (Claude Code sends <c>?beta=true</c>).</param>
/// <param name="Body">The JSON body bytes (after <see cref="Head"/>, when there is one).</param>
/// <param name="Headers">Client headers already sanitized (no credentials, hop-by-hop, Host or Content-Length; see <see cref="ClientAuthorization"/>).</param>
internal sealed record UpstreamRequest(
    string Path,
    string Query,
    ReadOnlyMemory<byte> Body,
    IReadOnlyList<KeyValuePair<string, StringValues>> Headers)
{
    /// <summary>Bytes sent before <see cref="Body"/>: a small edit in front of the client's own bytes (<see cref="JsonBody.Prepend"/>).</summary>
    public ReadOnlyMemory<byte> Head { get; init; }

    /// <summary>
    /// The client's <c>Authorization</c> as sent, for an upstream that authenticates with the client's own credential
    /// (copilot, <see cref="Upstreams.UpstreamCredentials"/>); every other upstream ignores it. Null when there is none.
    /// </summary>
    public string? ClientAuthorization { get; init; }

    /// <summary>The whole body's length.</summary>
    public int Length => Head.Length + Body.Length;

    /// <summary>
    /// The client's own connection (its <c>RequestAborted</c>). The token a send gets fires for the idle timeout as well
    /// as for a client that left; an upstream that must tell the two apart (<c>GuardedUpstream</c>: silence counts
    /// against the upstream, a client leaving does not) looks at this one. <c>default</c> when there is no client.
    /// </summary>
    public CancellationToken ClientAborted { get; init; }
}

/// <summary>What <see cref="IUpstream.SendAsync"/> gives: an exchange that answered, or why none did.</summary>
internal readonly record struct UpstreamResult(UpstreamExchange? Exchange, UpstreamFailure? Failure)
{
    public static implicit operator UpstreamResult(UpstreamExchange exchange) => new(exchange, null);

    public static implicit operator UpstreamResult(UpstreamFailure failure) => new(null, failure);
}

/// <summary>Which side failed, and in which phase (after YARP's <c>ForwarderError</c>).</summary>
internal enum UpstreamError
{
    /// <summary>The upstream could not be reached, or failed before its response headers: nothing was answered.</summary>
    Request,

    /// <summary>The upstream answered, then its response broke off or could not be read.</summary>
    ResponseBody,

    /// <summary>The upstream did not answer within the transport's own timeout (passthrough).</summary>
    RequestTimedOut,

    /// <summary>The client's side failed or left while forwarding (passthrough).</summary>
    Client,

    /// <summary>The request cannot be sent to this upstream as it stands (a query or path that does not resolve under its base URL).</summary>
    Target,

    /// <summary>Not sent: the upstream failed repeatedly and its circuit is open (<see cref="UpstreamFailure.RetryAfter"/> says for how long).</summary>
    Unavailable,
}

/// <summary>A transport failure as a value: the kind, and what happened in words (recorded, never shown to clients).</summary>
/// <param name="RetryAfter">When trying again makes sense (<see cref="UpstreamError.Unavailable"/>), if known.</param>
internal sealed record UpstreamFailure(UpstreamError Error, string Detail, TimeSpan? RetryAfter = null);

/// <summary>
/// One upstream answer: its status, the headers safe to relay to the client, and its body either as events (a stream)
/// or whole. A transport failure while reading ends the events or the body read and sets <see cref="Failure"/>; only
/// cancellation throws. An error status's body is already in the dialect's error shape.
/// </summary>
internal abstract class UpstreamExchange : IDisposable
{
    public abstract int Status { get; }

    public bool IsSuccess => Status is >= 200 and <= 299;

    /// <summary>Response headers to relay, hop-by-hop ones and those that belong to the gateway's account removed.</summary>
    public abstract IReadOnlyList<KeyValuePair<string, StringValues>> Headers { get; }

    /// <summary>Whether the body is an event stream (read it with <see cref="ReadEventsAsync"/>) rather than one body.</summary>
    public abstract bool IsStream { get; }

    /// <summary>Why reading the body failed, once it has; null while it has not.</summary>
    public UpstreamFailure? Failure { get; protected set; }

    /// <summary>The events in order; each event's memory is valid only until the enumerator moves on. Ends early on a failure.</summary>
    public abstract IAsyncEnumerable<SseEvent> ReadEventsAsync(CancellationToken cancellationToken);

    /// <summary>The whole body, or null (with <see cref="Failure"/> set) when reading it failed.</summary>
    public abstract Task<byte[]?> ReadBodyAsync(CancellationToken cancellationToken);

    public abstract void Dispose();
}

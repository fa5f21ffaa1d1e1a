using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.Providers.Upstreams;

/// <summary>
/// How an <see cref="HttpUpstream"/> authenticates a request, in place of whatever credentials the request carries
/// (<c>Authorization</c> and <c>x-api-key</c> are always removed first): with the gateway's own keys
/// (<see cref="Pool"/>: one key per request, told the answer's status), or with the client's own credential
/// (<see cref="ClientOwn"/>, a copilot instance: the user's Copilot token in their <c>Authorization</c>, forwarded
/// exactly as sent). A client's <c>Authorization</c> that carries a Bridgekeeper key never goes upstream: it is how the
/// user authenticated with the gateway, not with the provider.
/// </summary>
internal abstract class UpstreamCredentials
{
    public static UpstreamCredentials Pool(KeyPool keys) => new Pooled(keys);

    /// <param name="gatewayKeyPrefix">The prefix of Bridgekeeper keys (<c>bk_</c>): an <c>Authorization</c> carrying one is dropped.</param>
    public static UpstreamCredentials ClientOwn(string gatewayKeyPrefix) => new ClientsOwn(gatewayKeyPrefix);

    /// <summary>The client's <c>Authorization</c> as sent, or null when it sent none (or more than one).</summary>
    public static string? ClientAuthorization(IHeaderDictionary headers) => headers.Authorization is { Count: 1 } values ? values[0] : null;

    /// <summary>
    /// Replaces the request's credentials with this mode's. Returns the gateway key used (to <see cref="Report"/> the
    /// answer with), or null when the client's own credential went (or none did).
    /// </summary>
    /// <param name="clientAuthorization">The client's <c>Authorization</c> as sent (<see cref="ClientAuthorization"/>), or null.</param>
    public PoolKey? Attach(HttpRequestHeaders headers, string? clientAuthorization)
    {
        headers.Remove("Authorization");
        headers.Remove("x-api-key");
        return Add(headers, clientAuthorization);
    }

    /// <summary>Tells the key pool how the upstream answered a request sent with <paramref name="key"/> (from <see cref="Attach"/>).</summary>
    public abstract void Report(PoolKey? key, int status, string? retryAfter, string? retryAfterMs);

    private protected abstract PoolKey? Add(HttpRequestHeaders headers, string? clientAuthorization);

    /// <summary>The gateway's keys, used in turn; the client's credential is never sent.</summary>
    private sealed class Pooled(KeyPool keys) : UpstreamCredentials
    {
        public override void Report(PoolKey? key, int status, string? retryAfter, string? retryAfterMs)
        {
            if (key is not null)
                keys.Report(key, status, retryAfter, retryAfterMs);
        }

        private protected override PoolKey? Add(HttpRequestHeaders headers, string? clientAuthorization)
        {
            var key = keys.Take();
            foreach (var (name, value) in key.Headers)
                headers.TryAddWithoutValidation(name, value);
            return key;
        }
    }

    /// <summary>
    /// The client's own <c>Authorization</c> (<c>Bearer …</c> or <c>token …</c>), exactly as sent. A request without one
    /// goes without one, and the upstream answers it (Copilot: 401), as it would have without the gateway.
    /// </summary>
    private sealed class ClientsOwn(string gatewayKeyPrefix) : UpstreamCredentials
    {
        public override void Report(PoolKey? key, int status, string? retryAfter, string? retryAfterMs)
        {
        }

        private protected override PoolKey? Add(HttpRequestHeaders headers, string? clientAuthorization)
        {
            if (clientAuthorization is not null && !CarriesGatewayKey(clientAuthorization))
                headers.TryAddWithoutValidation("Authorization", clientAuthorization);
            return null;
        }

        /// <summary>Whether the credential after the scheme (<c>Bearer bk_…</c>), or the whole value, is a Bridgekeeper key.</summary>
        private bool CarriesGatewayKey(string authorization)
        {
            var value = authorization.AsSpan().Trim();
            var space = value.IndexOf(' ');
            var credential = space < 0 ? value : value[(space + 1)..].TrimStart();
            return credential.StartsWith(gatewayKeyPrefix, StringComparison.Ordinal) || value.StartsWith(gatewayKeyPrefix, StringComparison.Ordinal);
        }
    }
}

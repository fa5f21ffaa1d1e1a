namespace Bridgekeeper.Providers;

/// <summary>
/// One configured provider instance: the routes it serves under <c>/{Name}/</c>, the dialect of each intercepted
/// route, and its upstream (null when no key is configured: its routes then answer 503; a copilot instance always has one).
/// </summary>
internal sealed record Provider(
    ProviderSettings Settings,
    IApiDialect ErrorDialect,
    IUpstream? Upstream,
    IReadOnlyList<InterceptedRoute> Intercepted,
    IReadOnlyList<PassthroughRoute> Passthrough)
{
    public string Name => Settings.Name;
    public string Type => Settings.Type;
}

/// <summary>An intercepted (recorded) route, e.g. <c>POST v1/chat/completions</c>, and the dialect that reads it.</summary>
internal sealed record InterceptedRoute(string Path, IApiDialect Dialect);

/// <summary>An allow-listed passthrough route; <see cref="Pattern"/> uses ASP.NET route syntax, e.g. <c>v1/models/{id}</c>.</summary>
/// <param name="OwnedId">The <c>{id}</c> names a stored response: only the user who created it may read it.</param>
internal sealed record PassthroughRoute(string Method, string Pattern, bool OwnedId = false)
{
    /// <summary>
    /// Any method on any path the provider does not intercept (copilot, whose credential is the user's own, so nothing
    /// the gateway holds is exposed): the upstream path is the client's, validated segment by segment
    /// (<see cref="Upstreams.UpstreamUris.AnyPath"/>). It replaces the provider's 404 for unknown paths.
    /// </summary>
    public static readonly PassthroughRoute AnyPath = new("*", Upstreams.UpstreamUris.AnyPathPattern);

    public bool IsAnyPath => Pattern == Upstreams.UpstreamUris.AnyPathPattern;
}

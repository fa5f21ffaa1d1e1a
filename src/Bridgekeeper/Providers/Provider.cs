namespace Bridgekeeper.Providers;

/// <summary>
/// One configured provider instance: the routes it serves under <c>/{Name}/</c>, the dialect of each intercepted
/// route, and its upstream (null when no key is configured: its routes then answer 503).
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
internal sealed record PassthroughRoute(string Method, string Pattern, bool OwnedId = false);

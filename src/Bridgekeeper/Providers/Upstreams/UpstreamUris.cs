namespace Bridgekeeper.Providers.Upstreams;

/// <summary>
/// The upstream URI of a route, built from the route's template (SPEC §3), never from the client's path: the provider's
/// base URL, the template with its one <c>{id}</c> segment validated and escaped, and the client's query string. OpenAI
/// base URLs conventionally end in <c>/v1/</c> (as in <c>OPENAI_BASE_URL</c>), so the route's <c>v1/</c> is not
/// repeated; Anthropic base URLs are the API root.
/// </summary>
internal static class UpstreamUris
{
    public const string IdParameter = "id";
    private const string IdPlaceholder = "{" + IdParameter + "}";

    /// <summary>
    /// The route's path with <paramref name="id"/> (as decoded from the client's path) in place of <c>{id}</c>, escaped as
    /// one segment; null with the reason when the id is not one safe segment.
    /// </summary>
    public static string? RoutePath(string template, string? id, out string? problem)
    {
        problem = null;
        if (!template.Contains(IdPlaceholder, StringComparison.Ordinal))
            return template;
        problem = id is null ? "the id is missing" : IdProblem(id);
        if (problem is not null)
            return null;
        return template.Replace(IdPlaceholder, Uri.EscapeDataString(id!), StringComparison.Ordinal);
    }

    /// <summary>
    /// Why <paramref name="id"/> cannot be one path segment, or null. Refused: empty, blank or dot-only ids, <c>/</c>, <c>\</c>,
    /// <c>..</c>, control characters, and a <c>%</c> left after decoding (a double-encoded path).
    /// </summary>
    public static string? IdProblem(string id)
    {
        if (id.AsSpan().Trim('.').IsWhiteSpace())
            return "an id must not be empty, blank or only dots";
        if (id.Contains("..", StringComparison.Ordinal))
            return "an id must not contain '..'";
        foreach (var c in id)
        {
            if (c is '/' or '\\')
                return "an id is one path segment and must not contain '/' or '\\'";
            if (c == '%')
                return "an id must not contain '%' once decoded";
            if (char.IsControl(c))
                return "an id must not contain control characters";
        }
        return null;
    }

    /// <summary>
    /// The URI for a route path (from <see cref="RoutePath"/>) and the client's raw query string (empty or starting
    /// with <c>?</c>). Null when the result's path is not exactly the base URL's path followed by the route path, which
    /// is the last check before anything is sent: nothing the client wrote can move the request to another path.
    /// </summary>
    public static Uri? Resolve(ProviderSettings provider, string routePath, string query = "")
    {
        var relative = provider.Type == ProviderTypes.OpenAI && routePath.StartsWith("v1/", StringComparison.Ordinal) ? routePath[3..] : routePath;
        if (query.Length > 0 && (query[0] != '?' || query.Contains('#')))
            return null;
        if (!Uri.TryCreate(provider.BaseUrl.AbsoluteUri + relative + query, UriKind.Absolute, out var uri))
            return null;
        var expected = provider.BaseUrl.AbsolutePath + relative;
        return uri.AbsolutePath == expected && uri.Authority == provider.BaseUrl.Authority && uri.Scheme == provider.BaseUrl.Scheme ? uri : null;
    }
}

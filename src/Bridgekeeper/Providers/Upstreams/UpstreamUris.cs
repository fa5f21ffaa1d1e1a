namespace Bridgekeeper.Providers.Upstreams;

/// <summary>
/// The upstream URI of a route, built from the route's template (SPEC §3), never from the client's path: the provider's
/// base URL, the template with its one <c>{id}</c> segment validated and escaped, and the client's query string. OpenAI
/// base URLs conventionally end in <c>/v1/</c> (as in <c>OPENAI_BASE_URL</c>), so the route's <c>v1/</c> is not
/// repeated; Anthropic and Copilot base URLs are the API root. The one route built from the client's path is copilot's
/// catch-all (<see cref="AnyPath"/>): every segment is validated as an id is, and the result must stay under the base URL.
/// </summary>
internal static class UpstreamUris
{
    public const string IdParameter = "id";
    private const string IdPlaceholder = "{" + IdParameter + "}";

    /// <summary>The route value of a catch-all passthrough route (<see cref="AnyPathPattern"/>).</summary>
    public const string PathParameter = "path";

    /// <summary>The ASP.NET pattern of a catch-all passthrough route: any path under the provider's root.</summary>
    public const string AnyPathPattern = "{**" + PathParameter + "}";

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
    public static string? IdProblem(string id, string what = "an id")
    {
        if (id.AsSpan().Trim('.').IsWhiteSpace())
            return $"{what} must not be empty, blank or only dots";
        if (id.Contains("..", StringComparison.Ordinal))
            return $"{what} must not contain '..'";
        foreach (var c in id)
        {
            if (c is '/' or '\\')
                return $"{what} must not contain '/' or '\\' (it is one path segment)";
            if (c == '%')
                return $"{what} must not contain '%' once decoded";
            if (char.IsControl(c))
                return $"{what} must not contain control characters";
        }
        return null;
    }

    /// <summary>
    /// The route path of a catch-all route (copilot's passthrough) from the client's path under the provider's root (the
    /// route value, <c>%2F</c> still encoded): each segment decoded once, refused as an <c>{id}</c> is (<see cref="IdProblem"/>:
    /// no <c>/</c>, <c>\</c>, <c>..</c> or dot-only segment, control character or <c>%</c> once decoded, no empty segment),
    /// and escaped again. Null with the reason when a segment is not safe.
    /// </summary>
    public static string? AnyPath(string? path, out string? problem)
    {
        problem = null;
        var segments = (path ?? "").Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = Uri.UnescapeDataString(segments[i]);
            problem = IdProblem(segment, "a path segment");
            if (problem is not null)
                return null;
            segments[i] = Uri.EscapeDataString(segment);
        }
        return string.Join('/', segments);
    }

    /// <summary>
    /// The URI for a route path (from <see cref="RoutePath"/> or <see cref="AnyPath"/>) and the client's raw query string (empty or starting
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

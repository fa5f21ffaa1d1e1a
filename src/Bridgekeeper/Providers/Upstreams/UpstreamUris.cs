using Bridgekeeper.Hosting;

namespace Bridgekeeper.Providers.Upstreams;

/// <summary>
/// Maps a path under a provider's routes (<c>v1/chat/completions?x=1</c>) onto its base URL. OpenAI base URLs
/// conventionally end in <c>/v1/</c> (as in <c>OPENAI_BASE_URL</c>), so the route's <c>v1/</c> is not repeated;
/// Anthropic base URLs are the API root.
/// </summary>
internal static class UpstreamUris
{
    public static Uri Resolve(ProviderSettings provider, string pathAndQuery)
    {
        if (provider.Type == ProviderTypes.OpenAI && pathAndQuery.StartsWith("v1/", StringComparison.Ordinal))
            pathAndQuery = pathAndQuery[3..];
        return new Uri(provider.BaseUrl.AbsoluteUri + pathAndQuery);
    }
}

using Bridgekeeper.Providers.Upstreams;
using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.Tests.Interception;

public sealed class ForwardedHeadersTests
{
    [Fact]
    public void ForUpstream_DropsCredentialsHopByHopAndOurs_KeepsProviderHeaders()
    {
        var headers = new HeaderDictionary
        {
            ["Authorization"] = "Bearer bk_secret",
            ["X-Api-Key"] = "bk_secret",
            ["Host"] = "gateway",
            ["Content-Length"] = "12",
            ["Content-Type"] = "application/json",
            ["Connection"] = "keep-alive",
            ["Transfer-Encoding"] = "chunked",
            ["Accept-Encoding"] = "gzip",
            ["Cookie"] = "a=b",
            ["X-Bridgekeeper-Debug"] = "1",
            ["anthropic-version"] = "2023-06-01",
            ["anthropic-beta"] = "a,b",
            ["OpenAI-Beta"] = "responses=v1",
            ["User-Agent"] = "claude-cli/2.1",
            ["X-Stainless-Retry-Count"] = "0",
        };

        var forwarded = ForwardedHeaders.ForUpstream(headers).Select(h => h.Key).Order(StringComparer.OrdinalIgnoreCase);

        Assert.Equal(["anthropic-beta", "anthropic-version", "OpenAI-Beta", "User-Agent", "X-Stainless-Retry-Count"], forwarded);
    }
}

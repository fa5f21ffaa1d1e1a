using Bridgekeeper.Hosting;
using Bridgekeeper.Interception;
using Bridgekeeper.Providers.Upstreams;

namespace Bridgekeeper.Tests.Interception;

public sealed class RelativePathTests
{
    [Theory]
    [InlineData("/openai/v1/chat/completions", "openai", "v1/chat/completions")]
    [InlineData("/api/v2/aibridge/anthropic/v1/messages", "anthropic", "v1/messages")]
    [InlineData("/api/v2/aibridge/openai/v1/models/gpt-4o", "openai", "v1/models/gpt-4o")]
    public void RelativePath_StripsPrefixAndProvider(string path, string provider, string expected) =>
        Assert.Equal(expected, InterceptionEndpoint.RelativePath(path, provider));

    [Theory]
    [InlineData("openai", "https://api.openai.com/v1/", "v1/chat/completions", "https://api.openai.com/v1/chat/completions")]
    [InlineData("openai", "http://127.0.0.1:9000/openai/v1/", "v1/models?x=1", "http://127.0.0.1:9000/openai/v1/models?x=1")]
    [InlineData("anthropic", "https://api.anthropic.com/", "v1/messages?beta=true", "https://api.anthropic.com/v1/messages?beta=true")]
    [InlineData("anthropic", "http://host/prefix/", "v1/messages/count_tokens", "http://host/prefix/v1/messages/count_tokens")]
    public void Resolve_MapsOntoBaseUrl(string type, string baseUrl, string relative, string expected) =>
        Assert.Equal(expected, UpstreamUris.Resolve(new ProviderSettings("p", type, "k", new Uri(baseUrl)), relative).AbsoluteUri);
}

using Bridgekeeper.Providers;
using Bridgekeeper.Providers.Upstreams;

namespace Bridgekeeper.Tests.Interception;

public sealed class UpstreamUrisTests
{
    [Theory]
    [InlineData("openai", "https://api.openai.com/v1/", "v1/chat/completions", "", "https://api.openai.com/v1/chat/completions")]
    [InlineData("openai", "http://127.0.0.1:9000/openai/v1/", "v1/models", "?x=1", "http://127.0.0.1:9000/openai/v1/models?x=1")]
    [InlineData("anthropic", "https://api.anthropic.com/", "v1/messages", "?beta=true", "https://api.anthropic.com/v1/messages?beta=true")]
    [InlineData("anthropic", "http://host/prefix/", "v1/messages/count_tokens", "", "http://host/prefix/v1/messages/count_tokens")]
    public void Resolve_MapsTheRoutePathOntoTheBaseUrl(string type, string baseUrl, string path, string query, string expected) =>
        Assert.Equal(expected, UpstreamUris.Resolve(Provider(type, baseUrl), path, query)!.AbsoluteUri);

    [Theory]
    [InlineData("gpt-4o", "v1/models/gpt-4o")]
    [InlineData("ft:gpt-4o-mini:acme:custom:abc123", "v1/models/ft%3Agpt-4o-mini%3Aacme%3Acustom%3Aabc123")]
    [InlineData("claude sonnet?#", "v1/models/claude%20sonnet%3F%23")]
    [InlineData("模型", "v1/models/%E6%A8%A1%E5%9E%8B")]
    public void RoutePath_EscapesTheIdAsOneSegment(string id, string expected)
    {
        var path = UpstreamUris.RoutePath("v1/models/{id}", id, out var problem);

        Assert.Null(problem);
        Assert.Equal(expected, path);
        Assert.Equal("/v1/" + expected[3..], UpstreamUris.Resolve(Provider("openai", "https://api.openai.com/v1/"), path!)!.AbsolutePath);
    }

    [Theory]
    [InlineData("..\\files")]
    [InlineData("../files")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("...")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t")]
    [InlineData(". .")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("x..y")]
    [InlineData("../../etc/passwd")]
    [InlineData("%2F")]
    [InlineData("a%2e%2e")]
    [InlineData("gpt\u0000")]
    [InlineData("gpt\r\nX-Injected: 1")]
    [InlineData("gpt\u007f")]
    [InlineData("gpt\u0085")]
    public void RoutePath_RefusesAnIdThatIsNotOneSafeSegment(string id)
    {
        Assert.Null(UpstreamUris.RoutePath("v1/responses/{id}", id, out var problem));
        Assert.NotNull(problem);
    }

    [Fact]
    public void RoutePath_TemplateWithoutId_IsTheTemplate() =>
        Assert.Equal("v1/models", UpstreamUris.RoutePath("v1/models", null, out _));

    [Theory]
    [InlineData("v1/models/../files", "")]
    [InlineData("v1/models/%2e%2e/files", "")]
    [InlineData("v1/models/x\\..\\..\\files", "")]
    [InlineData("v1/models", "#fragment")]
    [InlineData("v1/models", "x=1")]
    [InlineData("v1/models", "?a#b")]
    public void Resolve_RefusesWhatWouldLeaveTheRoutePath(string path, string query) =>
        Assert.Null(UpstreamUris.Resolve(Provider("openai", "https://api.openai.com/v1/"), path, query));

    [Theory]
    [InlineData("models", "models", "https://api.individual.githubcopilot.com/models")]
    [InlineData("_ping", "_ping", "https://api.individual.githubcopilot.com/_ping")]
    [InlineData("agents/github/tasks", "agents/github/tasks", "https://api.individual.githubcopilot.com/agents/github/tasks")]
    [InlineData("models/gpt-4o%3Amini", "models/gpt-4o%3Amini", "https://api.individual.githubcopilot.com/models/gpt-4o%3Amini")]
    [InlineData("models/a b", "models/a%20b", "https://api.individual.githubcopilot.com/models/a%20b")]
    public void AnyPath_EverySegmentDecodedOnceAndEscapedAgain_UnderTheBaseUrl(string path, string expected, string uri)
    {
        var routePath = UpstreamUris.AnyPath(path, out var problem);

        Assert.Null(problem);
        Assert.Equal(expected, routePath);
        Assert.Equal(uri, UpstreamUris.Resolve(Provider(ProviderTypes.Copilot, "https://api.individual.githubcopilot.com/"), routePath!)!.AbsoluteUri);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("models/")]
    [InlineData("a//b")]
    [InlineData("..")]
    [InlineData("models/..")]
    [InlineData("models/./x")]
    [InlineData("..%2Fsecret")]
    [InlineData("a%2Fb")]
    [InlineData("a%5Cb")]
    [InlineData("a\\b")]
    [InlineData("%2e%2e")]
    [InlineData("a%252Fb")]
    [InlineData("a%00")]
    [InlineData("a\r\nX-Injected: 1")]
    public void AnyPath_RefusesASegmentThatIsNotSafe(string? path)
    {
        Assert.Null(UpstreamUris.AnyPath(path, out var problem));
        Assert.StartsWith("a path segment must not", problem, StringComparison.Ordinal);
    }

    private static ProviderSettings Provider(string type, string baseUrl) => new("p", type, "k", new Uri(baseUrl));
}

using Bridgekeeper.Settings;
using Bridgekeeper.Tools;

namespace Bridgekeeper.Tests.Tools;

public sealed class McpServerOptionsTests
{
    private const string Setting = "BRIDGEKEEPER_MCP_0";

    [Fact]
    public void Create_Defaults_StreamableHttpAndNoFilters()
    {
        var server = McpServerOptions.Create(Setting, "github", "https://mcp.example/mcp", null, null, null, null, false);

        Assert.Equal(("github", McpServerOptions.StreamableHttp, "https://mcp.example/mcp"), (server.Name, server.Transport, server.Url.ToString()));
        Assert.Null(server.Allow);
        Assert.Null(server.Deny);
        Assert.Empty(server.Headers);
    }

    [Theory]
    [InlineData("GitHub", "https://x/", null, null, "BRIDGEKEEPER_MCP_0_NAME")]
    [InlineData("git_hub", "https://x/", null, null, "BRIDGEKEEPER_MCP_0_NAME")]
    [InlineData("-git", "https://x/", null, null, "BRIDGEKEEPER_MCP_0_NAME")]
    [InlineData("", "https://x/", null, null, "BRIDGEKEEPER_MCP_0_NAME")]
    [InlineData("git", "ftp://x/", null, null, "BRIDGEKEEPER_MCP_0_URL")]
    [InlineData("git", "not a url", null, null, "BRIDGEKEEPER_MCP_0_URL")]
    [InlineData("git", "https://x/", "stdio", null, "BRIDGEKEEPER_MCP_0_TRANSPORT")]
    [InlineData("git", "https://x/", "sse", "(", "BRIDGEKEEPER_MCP_0_TOOL_ALLOW_REGEX")]
    public void Create_BadValue_ThrowsNamingTheSetting(string name, string url, string? transport, string? allow, string setting)
    {
        var error = Assert.Throws<SettingsException>(() => McpServerOptions.Create(Setting, name, url, transport, null, allow, null, false));

        Assert.Equal(setting, error.Setting);
    }

    [Theory]
    [InlineData("http://u:p@mcp.example/mcp")]
    [InlineData("http://u@mcp.example/mcp")]
    [InlineData("https://:p@mcp.example/mcp")]
    [InlineData("https://u%40corp:p%3Aw@mcp.example:8443/mcp?token=t")]
    [InlineData("https://user:@mcp.example/")]
    public void Create_CredentialsInTheUrl_AreRefusedPointingAtTheHeaders(string url)
    {
        var error = Assert.Throws<SettingsException>(() => McpServerOptions.Create(Setting, "git", url, null, null, null, null, false));

        Assert.Equal("BRIDGEKEEPER_MCP_0_URL", error.Setting);
        Assert.Equal("Invalid setting 'BRIDGEKEEPER_MCP_0_URL': credentials do not belong in the URL; put them in BRIDGEKEEPER_MCP_0_HEADERS.", error.Message);
    }

    [Fact]
    public void Create_YamlEntry_NamesTheFieldsAsWrittenInYaml()
    {
        var error = Assert.Throws<SettingsException>(() => McpServerOptions.Create("mcp_servers[2]", "git", "http://u:p@x/", null, null, null, null, false));

        Assert.Equal("Invalid setting 'mcp_servers[2].url': credentials do not belong in the URL; put them in mcp_servers[2].headers.", error.Message);
    }

    [Theory]
    [InlineData("not a url?token=s3cret", "'not a url?…' is not an absolute http(s) URL.")]
    [InlineData("ftp://x/mcp?token=s3cret", "'ftp://x/mcp?…' is not an absolute http(s) URL.")]
    [InlineData("mcp.example/mcp#s3cret", "'mcp.example/mcp?…' is not an absolute http(s) URL.")]
    public void Create_BadUrl_QuotesItWithoutItsQuery(string url, string problem)
    {
        var error = Assert.Throws<SettingsException>(() => McpServerOptions.Create(Setting, "git", url, null, null, null, null, false));

        Assert.Equal($"Invalid setting 'BRIDGEKEEPER_MCP_0_URL': {problem}", error.Message);
    }

    [Theory]
    [InlineData("https://mcp.example/mcp?token=s3cret", "https://mcp.example/mcp")]
    [InlineData("http://127.0.0.1:5000/mcp?token=s3cret&team=a#frag", "http://127.0.0.1:5000/mcp")]
    [InlineData("https://mcp.example:443/v1/mcp/", "https://mcp.example/v1/mcp/")]
    [InlineData("https://mcp.example:8443", "https://mcp.example:8443/")]
    [InlineData("http://[::1]:9000/a%20b?x=1", "http://[::1]:9000/a%20b")]
    public void DisplayUrl_KeepsSchemeHostPortAndPath_AndTheConnectionKeepsTheQuery(string url, string display)
    {
        var server = McpServerOptions.Create(Setting, "git", url, null, McpServerOptions.ParseHeaders("H", "X-Api-Key: hk"), null, null, false);

        Assert.Equal(display, server.DisplayUrl.AbsoluteUri);
        Assert.Equal(new Uri(url).Query, server.Url.Query);
        Assert.Equal($"McpServerOptions {{ Name = git, Url = {display}, Transport = streamable-http }}", server.ToString());
    }

    [Theory]
    [InlineData(null, null, "echo", true)]
    [InlineData("^echo$", null, "echo", true)]
    [InlineData("^echo$", null, "add", false)]
    [InlineData(null, "^echo$", "echo", false)]
    [InlineData("e", "^echo$", "echo", false)]
    public void Admits_AllowAndDeny_DenyWins(string? allow, string? deny, string tool, bool admitted)
    {
        var server = McpServerOptions.Create(Setting, "git", "https://x/", null, null, allow, deny, false);

        Assert.Equal(admitted, server.Admits(tool));
    }

    [Theory]
    [InlineData("""{"X-Api-Key":"k1","X-Team":"core"}""")]
    [InlineData("X-Api-Key: k1; X-Team: core")]
    [InlineData("X-Api-Key: k1\nX-Team: core")]
    public void ParseHeaders_JsonOrPairs(string text)
    {
        var headers = McpServerOptions.ParseHeaders("BRIDGEKEEPER_MCP_0_HEADERS", text);

        Assert.Equal("k1", headers["x-api-key"]);
        Assert.Equal("core", headers["X-Team"]);
    }

    [Theory]
    [InlineData("no colon here")]
    [InlineData("""{"X":1}""")]
    [InlineData("Bad Name: v")]
    public void ParseHeaders_Malformed_ThrowsNamingTheSetting(string text) =>
        Assert.Equal("BRIDGEKEEPER_MCP_0_HEADERS",
            Assert.Throws<SettingsException>(() => McpServerOptions.ParseHeaders("BRIDGEKEEPER_MCP_0_HEADERS", text)).Setting);

    [Fact]
    public void ValidateAll_DuplicateName_Throws()
    {
        var a = McpServerOptions.Create(Setting, "git", "https://x/", null, null, null, null, false);

        Assert.Throws<SettingsException>(() => McpServerOptions.ValidateAll([a, a]));
    }
}

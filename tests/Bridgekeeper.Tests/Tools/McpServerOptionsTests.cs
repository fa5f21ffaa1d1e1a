using Bridgekeeper.Storage;
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

using Bridgekeeper.Interception;
using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.Tests.Interception;

public sealed class ClientIdentityTests
{
    [Theory]
    [InlineData("claude-cli/2.1.330 (external, cli)", "Claude Code")]
    [InlineData("claude-code/1.0", "Claude Code")]
    [InlineData("codex_exec/0.169.0 (Debian 12; x86_64)", "Codex")]
    [InlineData("zed/0.200.1", "Zed")]
    [InlineData("kilo-code/4.1", "Kilo Code")]
    [InlineData("roo-code/3.0", "Roo Code")]
    [InlineData("opencode/0.9", "OpenCode")]
    [InlineData("Cline/3.2", "Cline")]
    [InlineData("OpenAI/NET 2.15.0", "Unknown")]
    [InlineData("", "Unknown")]
    [InlineData(null, "Unknown")]
    public void Client_UserAgentPrefix_MapsToClient(string? userAgent, string client) =>
        Assert.Equal(client, ClientIdentity.Client(userAgent));

    [Fact]
    public void Session_ClaudeHeaderWinsOverBodyAndCodexHeaders()
    {
        var headers = new HeaderDictionary { ["X-Claude-Code-Session-Id"] = "claude", ["session-id"] = "codex" };

        Assert.Equal("claude", ClientIdentity.Session(headers, "body"));
    }

    [Theory]
    [InlineData("session-id", "new-codex")]
    [InlineData("session_id", "old-codex")]
    public void Session_CodexHeaders_AreUsedWhenNothingElse(string header, string value) =>
        Assert.Equal(value, ClientIdentity.Session(new HeaderDictionary { [header] = value }, null));

    [Fact]
    public void Session_BodySession_BeatsCodexHeader() =>
        Assert.Equal("body", ClientIdentity.Session(new HeaderDictionary { ["session-id"] = "codex" }, "body"));

    [Fact]
    public void Session_None_IsNull() => Assert.Null(ClientIdentity.Session(new HeaderDictionary(), null));
}

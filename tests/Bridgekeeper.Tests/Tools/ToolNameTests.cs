using System.Text.RegularExpressions;
using Bridgekeeper.Tools;

namespace Bridgekeeper.Tests.Tools;

public sealed partial class ToolNameTests
{
    [Theory]
    [InlineData("github", "search_issues", "bmcp_github_search_issues")]
    [InlineData("my-docs", "get-page", "bmcp_my-docs_get-page")]
    public void Format_ShortValidName_IsPlain(string server, string tool, string expected) =>
        Assert.Equal(expected, ToolName.Format(server, tool));

    [Fact]
    public void Format_LongName_TruncatedTo64WithHashSuffix()
    {
        var tool = new string('x', 70);

        var name = ToolName.Format("github", tool);

        Assert.Equal(64, name.Length);
        Assert.Matches(ProviderRule(), name);
        Assert.Matches("^bmcp_github_x+_[0-9a-f]{8}$", name);
        Assert.Equal(name, ToolName.Format("github", tool));
    }

    [Fact]
    public void Format_LongNamesSharingAPrefix_Differ()
    {
        var stem = new string('a', 60);

        Assert.NotEqual(ToolName.Format("github", stem + "_one"), ToolName.Format("github", stem + "_two"));
    }

    [Theory]
    [InlineData("search.issues")]
    [InlineData("résumé")]
    [InlineData("a b")]
    public void Format_InvalidCharacters_SanitizedAndHashed(string tool)
    {
        var name = ToolName.Format("docs", tool);

        Assert.Matches(ProviderRule(), name);
        Assert.Matches("_[0-9a-f]{8}$", name);
        var lookalike = Regex.Replace(tool, "[^a-zA-Z0-9_-]", "_");
        Assert.Equal("bmcp_docs_" + lookalike, ToolName.Format("docs", lookalike));
        Assert.NotEqual(ToolName.Format("docs", lookalike), name);
    }

    [Fact]
    public void Format_LongServerName_StillWithinLimit()
    {
        var name = ToolName.Format(new string('s', 80), "echo");

        Assert.Equal(64, name.Length);
        Assert.Matches(ProviderRule(), name);
    }

    [Theory]
    [InlineData("bmcp_a_b", true)]
    [InlineData("", false)]
    [InlineData("has.dot", false)]
    public void IsValid_FollowsProviderRule(string name, bool valid) => Assert.Equal(valid, ToolName.IsValid(name));

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex ProviderRule();
}

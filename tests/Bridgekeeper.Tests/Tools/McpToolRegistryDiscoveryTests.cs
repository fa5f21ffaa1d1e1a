using System.Diagnostics;
using Bridgekeeper.Tools;
using static Bridgekeeper.Tests.Tools.McpTestKit;

namespace Bridgekeeper.Tests.Tools;

public sealed class McpToolRegistryDiscoveryTests
{
    [Theory]
    [InlineData(McpServerOptions.StreamableHttp)]
    [InlineData(McpServerOptions.Sse)]
    public async Task CatalogFor_Transport_ListsPrefixedToolsSortedByName(string transport)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestMcpServer.StartAsync(ct);
        var url = transport == McpServerOptions.Sse ? server.SseUrl : server.StreamableUrl;
        await using var registry = Registry([Server("docs", url, transport)]);
        await registry.StartAsync(ct);
        var alice = User("alice");

        await registry.WhenReadyAsync(alice, ct);
        var catalog = registry.CatalogFor(alice);

        Assert.Equal(["bmcp_docs_add", "bmcp_docs_echo", "bmcp_docs_fail", "bmcp_docs_hang"], Names(catalog));
        var echo = catalog.Tools[1];
        Assert.Equal(("docs", "echo", url, "Echoes the message"), (echo.Server, echo.ToolName, echo.ServerDisplayUrl, echo.Description));
        Assert.Equal("object", (string?)echo.InputSchema["type"]);
        Assert.NotNull(echo.InputSchema["properties"]?["message"]);
        Assert.True(catalog.TryGet("bmcp_docs_echo", out var found));
        Assert.Same(echo, found);
        Assert.False(catalog.TryGet("echo", out _));
    }

    [Fact]
    public async Task CatalogFor_TwoServers_ConfigurationOrderThenNameOrder_SameOnEveryCall()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var first = await TestMcpServer.StartAsync(ct);
        await using var second = await TestMcpServer.StartAsync(ct);
        await using var registry = Registry([Server("zeta", first.StreamableUrl, allow: "^(echo|add)$"), Server("alpha", second.StreamableUrl, allow: "^echo$")]);
        await registry.StartAsync(ct);
        var alice = User("alice");
        await registry.WhenReadyAsync(alice, ct);

        var catalog = registry.CatalogFor(alice);

        Assert.Equal(["bmcp_zeta_add", "bmcp_zeta_echo", "bmcp_alpha_echo"], Names(catalog));
        Assert.Equal(Names(catalog), Names(registry.CatalogFor(User("bob"))));
        Assert.Equal(catalog.Tools, registry.CatalogFor(alice).Tools);
    }

    [Theory]
    [InlineData(null, null, new[] { "add", "echo", "fail", "hang" })]
    [InlineData("^(echo|fail)$", null, new[] { "echo", "fail" })]
    [InlineData(null, "^h", new[] { "add", "echo", "fail" })]
    [InlineData("^(echo|fail)$", "fail", new[] { "echo" })]
    public async Task CatalogFor_AllowAndDeny_FilterUnprefixedNames_DenyWins(string? allow, string? deny, string[] expected)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestMcpServer.StartAsync(ct);
        await using var registry = Registry([Server("docs", server.StreamableUrl, allow: allow, deny: deny)]);
        await registry.StartAsync(ct);
        var alice = User("alice");
        await registry.WhenReadyAsync(alice, ct);

        Assert.Equal(expected, registry.CatalogFor(alice).Tools.Select(t => t.ToolName));
    }

    [Fact]
    public async Task CatalogFor_LongAndOddToolNames_MapBothWaysAndInvoke()
    {
        var ct = TestContext.Current.CancellationToken;
        var longName = "summarize_the_entire_repository_history_for_the_release_notes_v2";
        await using var server = await TestMcpServer.StartAsync(ct, 0, longName, "search.issues");
        await using var registry = Registry([Server("github-enterprise", server.StreamableUrl, deny: "^(add|echo|fail|hang)$")]);
        await registry.StartAsync(ct);
        var alice = User("alice");
        await registry.WhenReadyAsync(alice, ct);

        var catalog = registry.CatalogFor(alice);

        Assert.Equal(2, catalog.Tools.Count);
        Assert.All(catalog.Tools, t => Assert.True(ToolName.IsValid(t.Name), t.Name));
        var odd = Assert.Single(catalog.Tools, t => t.ToolName == "search.issues");
        var truncated = Assert.Single(catalog.Tools, t => t.ToolName == longName);
        Assert.Equal(64, truncated.Name.Length);
        Assert.True(catalog.TryGet(truncated.Name, out var back));
        Assert.Equal(longName, back.ToolName);
        Assert.StartsWith("bmcp_github-enterprise_search_issues_", odd.Name);
        var result = await registry.InvokeAsync(alice, back, "{}", ct);
        Assert.Equal($"{longName} ran", result.Content);
    }

    [Fact]
    public async Task CatalogFor_ServerDown_EmptyWithoutWaiting_ThenToolsAppearWhenItStarts()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = TestMcpServer.FreePort();
        await using var registry = Registry([Server("docs", new Uri($"http://127.0.0.1:{port}/mcp"))]);
        await registry.StartAsync(ct);
        var alice = User("alice");

        var clock = Stopwatch.StartNew();
        var before = registry.CatalogFor(alice);
        clock.Stop();
        await registry.WhenReadyAsync(alice, ct);
        var afterFailure = registry.CatalogFor(alice);
        await using var server = await TestMcpServer.StartAsync(ct, port);
        var recovered = await EventuallyAsync(() => registry.CatalogFor(alice), c => c.Tools.Count == 4, ct);

        Assert.Empty(before.Tools);
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(200), $"CatalogFor took {clock.Elapsed}");
        Assert.Empty(afterFailure.Tools);
        Assert.Contains("bmcp_docs_echo", Names(recovered));
    }

    [Fact]
    public async Task CatalogFor_ServerSendsListChanged_NewToolAppears()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestMcpServer.StartAsync(ct);
        await using var registry = Registry([Server("docs", server.StreamableUrl)]);
        await registry.StartAsync(ct);
        var alice = User("alice");
        await registry.WhenReadyAsync(alice, ct);
        Assert.Equal(4, registry.CatalogFor(alice).Tools.Count);

        server.AddTool("deploy");
        var catalog = await EventuallyAsync(() => registry.CatalogFor(alice), c => c.Tools.Count == 5, ct);

        Assert.Equal(["bmcp_docs_add", "bmcp_docs_deploy", "bmcp_docs_echo", "bmcp_docs_fail", "bmcp_docs_hang"], Names(catalog));
    }

    [Fact]
    public async Task CatalogFor_NoServersConfigured_IsEmpty()
    {
        await using var registry = Registry([]);
        await registry.StartAsync(TestContext.Current.CancellationToken);

        Assert.Same(IToolCatalog.Empty, registry.CatalogFor(User("alice")));
    }
}

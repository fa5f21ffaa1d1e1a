using Bridgekeeper.Tools;
using Microsoft.Extensions.Logging;
using static Bridgekeeper.Tests.Tools.McpTestKit;

namespace Bridgekeeper.Tests.Tools;

public sealed class McpToolRegistryInvokeTests : IAsyncLifetime
{
    private TestMcpServer _server = null!;
    private McpToolRegistry _registry = null!;
    private readonly Bridgekeeper.Auth.GatewayUser _alice = User("alice");

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _server = await TestMcpServer.StartAsync(ct);
        _registry = Registry([Server("docs", _server.StreamableUrl)]);
        await _registry.StartAsync(ct);
        await _registry.WhenReadyAsync(_alice, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _registry.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("bmcp_docs_echo", """{"message":"hi"}""", "Echo: hi")]
    [InlineData("bmcp_docs_add", """{"a":2,"b":3}""", "5")]
    public async Task InvokeAsync_Success_ReturnsTextContent(string name, string arguments, string expected)
    {
        var result = await _registry.InvokeAsync(_alice, Tool(name), arguments, TestContext.Current.CancellationToken);

        Assert.Equal((expected, false, (string?)null), (result.Content, result.IsError, result.Error));
        Assert.True(result.Duration > TimeSpan.Zero);
    }

    [Fact]
    public async Task InvokeAsync_ToolReturnsIsError_IsErrorWithText()
    {
        var result = await _registry.InvokeAsync(_alice, Tool("bmcp_docs_fail"), "{}", TestContext.Current.CancellationToken);

        Assert.Equal(("boom", true, "boom"), (result.Content, result.IsError, result.Error));
    }

    [Fact]
    public async Task InvokeAsync_ToolHangs_TimesOutAsError()
    {
        // Its own registry: a 300 ms timeout for every call of the class would make the quick tools flaky on a busy machine.
        var ct = TestContext.Current.CancellationToken;
        await using var registry = Registry([Server("docs", _server.StreamableUrl)], toolTimeout: TimeSpan.FromMilliseconds(300));
        await registry.StartAsync(ct);
        await registry.WhenReadyAsync(_alice, ct);

        var result = await registry.InvokeAsync(_alice, Tool("bmcp_docs_hang"), "", ct);

        Assert.True(result.IsError);
        Assert.Equal("timeout after 0.3 s", result.Error);
        Assert.Contains("timed out", result.Content);
        Assert.InRange(result.Duration, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2]")]
    public async Task InvokeAsync_BadArguments_IsErrorWithoutCallingTheServer(string arguments)
    {
        var result = await _registry.InvokeAsync(_alice, Tool("bmcp_docs_echo"), arguments, TestContext.Current.CancellationToken);

        Assert.True(result.IsError);
        Assert.StartsWith("Invalid arguments for bmcp_docs_echo", result.Content);
        Assert.StartsWith("invalid arguments", result.Error);
    }

    [Fact]
    public async Task InvokeAsync_CallerCancels_Throws()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _registry.InvokeAsync(_alice, Tool("bmcp_docs_hang"), "{}", cancel.Token));
    }

    [Fact]
    public async Task InvokeAsync_ServerGone_IsErrorNotException()
    {
        var tool = Tool("bmcp_docs_echo");
        await _server.DisposeAsync();

        var result = await _registry.InvokeAsync(_alice, tool, """{"message":"hi"}""", TestContext.Current.CancellationToken);

        Assert.True(result.IsError);
        Assert.False(string.IsNullOrEmpty(result.Error));
    }

    private InjectedTool Tool(string name) =>
        _registry.CatalogFor(_alice).TryGet(name, out var tool) ? tool : throw new InvalidOperationException($"{name} is not in the catalog");
}

public sealed class McpToolRegistryUserTokenTests
{
    [Fact]
    public async Task CatalogFor_RequiredTokenPresent_SentAsBearerOnThatUsersConnection()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestMcpServer.StartAsync(ct);
        var tokens = new FakeTokens();
        var alice = User("alice");
        tokens.ByUser[alice.Id] = new() { ["docs"] = "alice-secret-token" };
        var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        await using var registry = Registry([Server("docs", server.StreamableUrl, requiresUserToken: true)], tokens, loggerFactory: loggerFactory);
        await registry.StartAsync(ct);

        await registry.WhenReadyAsync(alice, ct);
        var catalog = registry.CatalogFor(alice);
        var result = await registry.InvokeAsync(alice, catalog.Tools.Single(t => t.ToolName == "echo"), """{"message":"x"}""", ct);

        Assert.Equal(4, catalog.Tools.Count);
        Assert.Equal("Echo: x", result.Content);
        Assert.NotEmpty(server.Authorizations);
        Assert.All(server.Authorizations, a => Assert.Equal("Bearer alice-secret-token", a));
        Assert.DoesNotContain(logs.Messages, m => m.Contains("alice-secret-token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CatalogFor_RequiredTokenMissing_NoToolsAndNoConnection()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestMcpServer.StartAsync(ct);
        await using var registry = Registry([Server("docs", server.StreamableUrl, requiresUserToken: true)], new FakeTokens());
        await registry.StartAsync(ct);
        var bob = User("bob");

        await registry.WhenReadyAsync(bob, ct);
        var catalog = registry.CatalogFor(bob);

        Assert.Empty(catalog.Tools);
        Assert.Empty(server.Authorizations);
    }

    [Fact]
    public async Task CatalogFor_OptionalToken_UserWithTokenGetsOwnConnection_OthersShareOne()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestMcpServer.StartAsync(ct);
        var tokens = new FakeTokens();
        var alice = User("alice");
        tokens.ByUser[alice.Id] = new() { ["docs"] = "alice-token" };
        await using var registry = Registry([Server("docs", server.StreamableUrl)], tokens);
        await registry.StartAsync(ct);
        var (bob, carol) = (User("bob"), User("carol"));

        await registry.WhenReadyAsync(alice, ct);
        await registry.WhenReadyAsync(bob, ct);
        await registry.WhenReadyAsync(carol, ct);

        Assert.Equal(4, registry.CatalogFor(alice).Tools.Count);
        Assert.Equal(4, registry.CatalogFor(bob).Tools.Count);
        var seen = server.Authorizations.ToArray();
        Assert.Contains("Bearer alice-token", seen);
        Assert.Contains(seen, a => a is null);
        Assert.Equal(2, seen.Distinct().Count());
    }

    [Fact]
    public async Task InvalidateTokensAsync_TokenAdded_UserGetsTools()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestMcpServer.StartAsync(ct);
        var tokens = new FakeTokens();
        var alice = User("alice");
        await using var registry = Registry([Server("docs", server.StreamableUrl, requiresUserToken: true)], tokens);
        await registry.StartAsync(ct);
        await registry.WhenReadyAsync(alice, ct);
        Assert.Empty(registry.CatalogFor(alice).Tools);

        tokens.ByUser[alice.Id] = new() { ["docs"] = "new-token" };
        await registry.InvalidateTokensAsync(alice.Id);
        await registry.WhenReadyAsync(alice, ct);

        Assert.Equal(4, registry.CatalogFor(alice).Tools.Count);
    }

    [Fact]
    public async Task PerUserConnection_Unused_ClosesAndReopensOnNextUse()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestMcpServer.StartAsync(ct);
        var tokens = new FakeTokens();
        var alice = User("alice");
        tokens.ByUser[alice.Id] = new() { ["docs"] = "alice-token" };
        await using var registry = Registry([Server("docs", server.StreamableUrl, requiresUserToken: true)], tokens,
            configure: o => o with { RefreshInterval = TimeSpan.FromMilliseconds(50), IdleConnectionTimeout = TimeSpan.FromMilliseconds(150) });
        await registry.StartAsync(ct);
        await registry.WhenReadyAsync(alice, ct);
        Assert.Equal(1, registry.ConnectionCount);

        await EventuallyAsync(() => registry.ConnectionCount, count => count == 0, ct);
        await registry.WhenReadyAsync(alice, ct);

        Assert.Equal(4, registry.CatalogFor(alice).Tools.Count);
    }
}

using System.Collections.Concurrent;
using Bridgekeeper.Auth;
using Bridgekeeper.Tools;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Tests.Tools;

/// <summary>Registries over test servers, fake token sources, and a logger that keeps every message.</summary>
internal static class McpTestKit
{
    public static GatewayUser User(string name) => new(Guid.NewGuid(), name, Roles.Member, Guid.NewGuid());

    public static McpServerOptions Server(string name, Uri url, string transport = McpServerOptions.StreamableHttp, string? allow = null,
        string? deny = null, bool requiresUserToken = false) =>
        McpServerOptions.Create("BRIDGEKEEPER_MCP_0", name, url.ToString(), transport, null, allow, deny, requiresUserToken);

    public static McpToolRegistry Registry(IEnumerable<McpServerOptions> servers, IMcpTokenSource? tokens = null, TimeSpan? toolTimeout = null,
        ILoggerFactory? loggerFactory = null, Func<McpOptions, McpOptions>? configure = null)
    {
        var options = new McpOptions
        {
            Servers = [.. servers],
            ToolTimeout = toolTimeout ?? TimeSpan.FromSeconds(10),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            MinRetryDelay = TimeSpan.FromMilliseconds(50),
            MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        };
        options = configure?.Invoke(options) ?? options;
        loggerFactory ??= LoggerFactory.Create(_ => { });
        return new McpToolRegistry(options, tokens ?? new FakeTokens(), loggerFactory, TimeProvider.System, loggerFactory.CreateLogger<McpToolRegistry>());
    }

    /// <summary>Polls until the condition holds (network events have no other hook), failing after 10 s.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<T> probe, Func<T, bool> done, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var value = probe();
            if (done(value))
                return value;
            if (DateTime.UtcNow > deadline)
                Assert.Fail("The condition did not hold within 10 s.");
            await Task.Delay(25, cancellationToken);
        }
    }

    public static string[] Names(IToolCatalog catalog) => [.. catalog.Tools.Select(t => t.Name)];
}

/// <summary>Per-user tokens held in memory.</summary>
internal sealed class FakeTokens : IMcpTokenSource
{
    public ConcurrentDictionary<Guid, Dictionary<string, string>> ByUser { get; } = new();

    public Task<IReadOnlyDictionary<string, string>> GetTokensAsync(Guid userId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(ByUser.TryGetValue(userId, out var tokens) ? new Dictionary<string, string>(tokens) : []);
}

/// <summary>Keeps every formatted log message, from every category (the SDK's included).</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Messages.Enqueue($"{logLevel}: {formatter(state, exception)} {exception}");
    }
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bridgekeeper.Auth;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Tools;

/// <summary>
/// The injected MCP tools. Connections are keyed by (server, credential): servers used without a personal token share
/// one connection; a user's personal token gets its own. <see cref="CatalogFor"/> never waits on the network: it returns
/// what is known and starts whatever is missing in the background. <see cref="InvokeAsync"/> returns failures as values.
/// </summary>
internal sealed partial class McpToolRegistry(McpOptions options, IMcpTokenSource tokenSource, ILoggerFactory loggerFactory, TimeProvider time,
    ILogger<McpToolRegistry> logger) : IHostedService, IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Server, string? Credential), McpConnection> _connections = new();
    private readonly ConcurrentDictionary<Guid, UserTokens> _userTokens = new();
    private readonly CancellationTokenSource _stopping = new();

    public McpOptions Options => options;

    /// <summary>Open connections (shared and per-user); for tests.</summary>
    internal int ConnectionCount => _connections.Count;

    /// <summary>Starts the shared connections in the background; never waits for a server.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var server in options.Servers.Where(s => !s.RequiresUserToken))
            Connection(server, null);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
            return;
        await _stopping.CancelAsync();
        var connections = _connections.Values.ToArray();
        _connections.Clear();
        await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask())).WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stopping.Dispose();
    }

    /// <summary>
    /// The user's injected tools as known now: servers in configuration order, each server's tools by ordinal name.
    /// A server that is down, still connecting, or needs a token the user lacks contributes nothing.
    /// </summary>
    public IToolCatalog CatalogFor(GatewayUser user)
    {
        if (options.Servers.Count == 0)
            return ToolCatalog.Empty;
        var tools = new List<InjectedTool>();
        foreach (var connection in ConnectionsFor(user.Id))
        {
            connection.Touch();
            tools.AddRange(connection.Tools);
        }
        return tools.Count == 0 ? ToolCatalog.Empty : new ToolCatalog(tools);
    }

    /// <summary>Every configured server, in configuration order, with the state of its sessions now.</summary>
    public IReadOnlyList<McpServerStatus> Statuses() =>
        [.. options.Servers.Select(server => McpServerStatus.Of(server, [.. _connections.Where(c => c.Key.Server == server.Name).Select(c => c.Value)]))];

    /// <summary>
    /// Runs an injected tool for the user, within <see cref="McpOptions.ToolTimeout"/>. Tool errors, timeouts, bad
    /// arguments and server failures come back as an error result; only the caller's own cancellation throws.
    /// </summary>
    public async Task<ToolResult> InvokeAsync(GatewayUser user, InjectedTool tool, string argumentsJson, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        if (!TryParseArguments(argumentsJson, out var arguments, out var problem))
            return new ToolResult($"Invalid arguments for {tool.Name}: {problem}", true, $"invalid arguments: {problem}", time.GetElapsedTime(started));
        var server = options.Servers.FirstOrDefault(s => s.Name == tool.Server);
        var connection = server is null ? null : ConnectionFor(server, TokensFor(user.Id));
        if (connection is null)
            return new ToolResult($"The MCP server '{tool.Server}' is not available.", true, $"server {tool.Server} not available for this user",
                time.GetElapsedTime(started));
        connection.Touch();
        return await connection.CallAsync(tool, arguments, cancellationToken);
    }

    /// <summary>Forgets a user's cached tokens and reads them again (after a token was set or deleted).</summary>
    public Task InvalidateTokensAsync(Guid userId)
    {
        var entry = new UserTokens();
        _userTokens[userId] = entry;
        return Load(userId, entry);
    }

    /// <summary>
    /// Waits until the user's tokens are read and each of the user's connections has made its first attempt (success or
    /// failure). For tests and warm-up; requests never need it.
    /// </summary>
    public async Task WhenReadyAsync(GatewayUser user, CancellationToken cancellationToken)
    {
        if (options.Servers.Count == 0)
            return;
        var entry = _userTokens.GetOrAdd(user.Id, _ => new UserTokens());
        if (entry.Current is null)
            await Load(user.Id, entry).WaitAsync(cancellationToken);
        await Task.WhenAll(ConnectionsFor(user.Id).Select(c => c.FirstAttempt)).WaitAsync(cancellationToken);
    }

    private IEnumerable<McpConnection> ConnectionsFor(Guid userId)
    {
        var tokens = TokensFor(userId);
        foreach (var server in options.Servers)
            if (ConnectionFor(server, tokens) is { } connection)
                yield return connection;
    }

    /// <summary>The connection this user's requests use for a server; null when the server needs a token the user lacks (or it is not known yet).</summary>
    private McpConnection? ConnectionFor(McpServerOptions server, TokenSet? tokens)
    {
        var credential = tokens?.Tokens.GetValueOrDefault(server.Name);
        if (credential is null && server.RequiresUserToken)
            return null;
        return Connection(server, credential);
    }

    private McpConnection? Connection(McpServerOptions server, Credential? credential)
    {
        if (_stopping.IsCancellationRequested)
            return null;
        var connection = _connections.GetOrAdd((server.Name, credential?.Fingerprint),
            _ => new McpConnection(server, credential?.Token, options, loggerFactory, time, loggerFactory.CreateLogger<McpConnection>(), Closed));
        connection.Start();
        return connection;
    }

    private void Closed(McpConnection connection)
    {
        foreach (var pair in _connections)
            if (ReferenceEquals(pair.Value, connection))
                _connections.TryRemove(pair);
    }

    /// <summary>The user's tokens as cached now (null until first read); starts a read when missing or stale.</summary>
    private TokenSet? TokensFor(Guid userId)
    {
        var entry = _userTokens.GetOrAdd(userId, _ => new UserTokens());
        var current = entry.Current;
        if (current is null || time.GetUtcNow() - current.LoadedAt > options.UserTokenCacheDuration)
            _ = Load(userId, entry);
        return current;
    }

    private Task Load(Guid userId, UserTokens entry)
    {
        lock (entry)
        {
            if (entry.Loading is { IsCompleted: false } loading)
                return loading;
            return entry.Loading = Task.Run(() => LoadAsync(userId, entry));
        }
    }

    private async Task LoadAsync(Guid userId, UserTokens entry)
    {
        try
        {
            var tokens = await tokenSource.GetTokensAsync(userId, _stopping.Token);
            entry.Current = new TokenSet(tokens.ToDictionary(t => t.Key, t => new Credential(t.Value, Fingerprint(t.Value)), StringComparer.Ordinal),
                time.GetUtcNow());
        }
        catch (Exception e) when (!_stopping.IsCancellationRequested)
        {
            LogTokensUnavailable(userId, e.GetType().Name, e.Message);
            entry.Current ??= new TokenSet(new Dictionary<string, Credential>(), time.GetUtcNow());
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    private static bool TryParseArguments(string json, out IReadOnlyDictionary<string, JsonElement> arguments, out string problem)
    {
        arguments = new Dictionary<string, JsonElement>();
        problem = "";
        if (string.IsNullOrWhiteSpace(json))
            return true;
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = $"expected a JSON object, got {document.RootElement.ValueKind.ToString().ToLowerInvariant()}";
                return false;
            }
            arguments = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
            return true;
        }
        catch (JsonException e)
        {
            problem = $"not valid JSON ({e.Message})";
            return false;
        }
    }

    private static string Fingerprint(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private sealed record Credential(string Token, string Fingerprint)
    {
        public override string ToString() => $"Credential {{ Fingerprint = {Fingerprint[..8]} }}";
    }

    private sealed record TokenSet(IReadOnlyDictionary<string, Credential> Tokens, DateTimeOffset LoadedAt);

    private sealed class UserTokens
    {
        public volatile TokenSet? Current;
        public Task? Loading;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the MCP tokens of user {UserId} ({ErrorType}: {Reason}); their per-user MCP tools are absent")]
    private partial void LogTokensUnavailable(Guid userId, string errorType, string reason);
}

using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Tools;

/// <summary>
/// One MCP session for one (server, credential) pair, shared by every request and user with that pair. A background
/// loop connects, lists the tools, relists them on <c>notifications/tools/list_changed</c> and every refresh interval,
/// and reconnects with backoff when the server fails. While it is down, <see cref="Tools"/> is empty; nothing waits on it.
/// </summary>
internal sealed partial class McpConnection(McpServerOptions server, string? token, McpOptions options, ILoggerFactory loggerFactory,
    TimeProvider time, ILogger<McpConnection> logger, Action<McpConnection> onClosed) : IAsyncDisposable
{
    private readonly Channel<bool> _refresh = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private volatile IReadOnlyList<InjectedTool> _tools = [];
    private volatile McpClient? _client;
    private volatile string? _lastError;
    private long _lastUsedTicks = time.GetUtcNow().UtcTicks;
    private int _started;
    private Task _loop = Task.CompletedTask;

    public McpServerOptions Server => server;

    /// <summary>The filtered tools, sorted by ordinal name; empty while not connected.</summary>
    public IReadOnlyList<InjectedTool> Tools => _tools;

    /// <summary><c>connected</c>, <c>connecting</c> (no attempt has failed yet) or <c>down</c> (the last attempt failed: <see cref="LastError"/>).</summary>
    public string Status => _client is not null ? McpServerStatus.Connected : _lastError is null ? McpServerStatus.Connecting : McpServerStatus.Down;

    /// <summary>Why the last attempt failed (the exception's type and message, the URL shown without its query); null once connected.</summary>
    public string? LastError => _lastError;

    /// <summary>Completes once the first connect attempt has succeeded or failed.</summary>
    public Task FirstAttempt => _firstAttempt.Task;

    private string Scope => token is null ? "shared" : "per-user token";

    public void Touch() => Interlocked.Exchange(ref _lastUsedTicks, time.GetUtcNow().UtcTicks);

    /// <summary>Starts the background loop (once; later calls do nothing).</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
            _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    /// <summary>Asks the loop to list the tools again soon (coalesced).</summary>
    public void RequestRefresh() => _refresh.Writer.TryWrite(true);

    public async Task<ToolResult> CallAsync(InjectedTool tool, IReadOnlyDictionary<string, JsonElement> arguments, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var client = _client;
        if (client is null)
            return Failure($"The MCP server '{server.Name}' is not connected.", $"server {server.Name} not connected", started);
        using var timeout = new CancellationTokenSource(options.ToolTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var result = await client.CallToolAsync(new CallToolRequestParams
            {
                Name = tool.ToolName,
                Arguments = arguments.ToDictionary(),
            }, linked.Token);
            var content = ToolContent.Text(result);
            var isError = result.IsError == true;
            return new ToolResult(content, isError, isError ? content : null, time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var seconds = options.ToolTimeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
            LogToolTimeout(server.Name, tool.ToolName, seconds);
            return Failure($"The tool {tool.ToolName} timed out after {seconds} s.", $"timeout after {seconds} s", started);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogToolFailed(server.Name, tool.ToolName, e.GetType().Name, e.Message);
            if (e is not ModelContextProtocol.McpProtocolException)
                RequestRefresh();
            return Failure($"The tool {tool.ToolName} failed: {e.Message}", e.Message, started);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        _stopping.Dispose();
    }

    private ToolResult Failure(string content, string error, long started) => new(content, true, error, time.GetElapsedTime(started));

    private async Task RunAsync(CancellationToken stopping)
    {
        var delay = options.MinRetryDelay;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var session = await ConnectAsync(stopping);
                _client = session.Client;
                await RefreshAsync(session.Client, stopping);
                _lastError = null;
                _firstAttempt.TrySetResult();
                LogConnected(server.Name, Scope, _tools.Count);
                delay = options.MinRetryDelay;
                if (await WatchAsync(session.Client, stopping))
                    break;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogUnavailable(server.Name, Scope, e.GetType().Name, e.Message, delay.TotalSeconds);
                _lastError = $"{e.GetType().Name}: {e.Message.Replace(server.Url.AbsoluteUri, server.DisplayUrl.AbsoluteUri, StringComparison.Ordinal)}";
            }
            finally
            {
                _client = null;
                _tools = [];
            }
            _firstAttempt.TrySetResult();
            if (IsIdle())
                break;
            try
            {
                await Task.Delay(delay, time, stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxRetryDelay.Ticks));
        }
        _firstAttempt.TrySetResult();
        if (!stopping.IsCancellationRequested)
        {
            LogIdleClosed(server.Name);
            onClosed(this);
        }
    }

    /// <summary>Relists tools when asked or on schedule. Returns true when the connection went idle; throws when the session failed.</summary>
    private async Task<bool> WatchAsync(McpClient client, CancellationToken stopping)
    {
        while (true)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping))
            {
                var signal = _refresh.Reader.WaitToReadAsync(wait.Token).AsTask();
                var tick = Task.Delay(options.RefreshInterval, time, wait.Token);
                var done = await Task.WhenAny(signal, tick, client.Completion);
                await wait.CancelAsync();
                stopping.ThrowIfCancellationRequested();
                if (done == client.Completion)
                    throw new IOException("the session ended: " + ((await client.Completion).Exception?.Message ?? "closed by the server"));
            }
            _refresh.Reader.TryRead(out _);
            if (IsIdle())
                return true;
            await RefreshAsync(client, stopping);
        }
    }

    private async Task RefreshAsync(McpClient client, CancellationToken stopping)
    {
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
        var listed = await client.ListToolsAsync(cancellationToken: linked.Token);
        InjectedTool[] tools =
        [
            .. listed.Select(t => t.ProtocolTool)
                .Where(t => server.Admits(t.Name))
                .OrderBy(t => t.Name, StringComparer.Ordinal)
                .Select(t => new InjectedTool(ToolName.Format(server.Name, t.Name), server.Name, t.Name, server.DisplayUrl, t.Description,
                    Schema(t.InputSchema))),
        ];
        var changed = tools.Length != _tools.Count || !tools.Select(t => t.Name).SequenceEqual(_tools.Select(t => t.Name));
        _tools = tools;
        if (changed)
            LogToolsListed(server.Name, Scope, tools.Length);
    }

    private async Task<Session> ConnectAsync(CancellationToken stopping)
    {
        var headers = new Dictionary<string, string>(server.Headers, StringComparer.OrdinalIgnoreCase);
        if (token is not null)
            headers["Authorization"] = "Bearer " + token;
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = server.Url,
            Name = server.Name,
            TransportMode = server.Transport == McpServerOptions.Sse ? HttpTransportMode.Sse : HttpTransportMode.StreamableHttp,
            AdditionalHeaders = headers,
            ConnectionTimeout = options.ConnectTimeout,
        }, loggerFactory);
        var clientOptions = new McpClientOptions
        {
            ClientInfo = new Implementation { Name = "bridgekeeper", Version = typeof(McpConnection).Assembly.GetName().Version?.ToString() ?? "1.0" },
            InitializationTimeout = options.ConnectTimeout,
            Handlers = new McpClientHandlers
            {
                NotificationHandlers =
                [
                    new(NotificationMethods.ToolListChangedNotification, (_, _) =>
                    {
                        RequestRefresh();
                        return ValueTask.CompletedTask;
                    }),
                ],
            },
        };
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
        try
        {
            return new Session(await McpClient.CreateAsync(transport, clientOptions, loggerFactory, linked.Token), transport);
        }
        catch
        {
            await transport.DisposeAsync();
            throw;
        }
    }

    private bool IsIdle() =>
        token is not null && time.GetUtcNow() - new DateTimeOffset(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero) > options.IdleConnectionTimeout;

    private static JsonObject Schema(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && JsonNode.Parse(schema.GetRawText()) is JsonObject parsed
            ? parsed
            : new JsonObject { ["type"] = "object" };

    /// <summary>A connected client and the transport it owns; disposing closes both.</summary>
    private sealed record Session(McpClient Client, HttpClientTransport Transport) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await Client.DisposeAsync();
            }
            finally
            {
                await Transport.DisposeAsync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP server {Server} connected ({Scope}): {Count} tools")]
    private partial void LogConnected(string server, string scope, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP server {Server} ({Scope}) now lists {Count} tools")]
    private partial void LogToolsListed(string server, string scope, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server {Server} ({Scope}) is unavailable ({ErrorType}: {Reason}); its tools are absent; retrying in {RetrySeconds} s")]
    private partial void LogUnavailable(string server, string scope, string errorType, string reason, double retrySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP tool {Server}/{Tool} timed out after {Seconds} s")]
    private partial void LogToolTimeout(string server, string tool, string seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP tool {Server}/{Tool} failed ({ErrorType}: {Reason})")]
    private partial void LogToolFailed(string server, string tool, string errorType, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Closed an idle per-user connection to MCP server {Server}")]
    private partial void LogIdleClosed(string server);
}

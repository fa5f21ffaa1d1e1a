using System.Text.Json.Nodes;
using Bridgekeeper.Metrics;
using Bridgekeeper.Providers;
using Bridgekeeper.Tools;
using Microsoft.Extensions.Logging;

namespace Bridgekeeper.Interception;

/// <summary>
/// Connects an interception to the approved MCP servers: takes the user's catalog once (so names stay stable across the
/// loop's rounds), injects its tools through the dialect, and runs the model's calls in parallel, recording each with
/// its server, result (truncated to 64 KiB) and error. A tool failure goes back to the model as a tool error.
/// </summary>
internal sealed partial class InjectedTools(McpToolRegistry registry, McpOptions options, BridgekeeperMetrics metrics, ILogger<InjectedTools> logger)
{
    /// <summary>Injects the user's tools into the request; null when there is nothing to inject or the API cannot loop.</summary>
    /// <exception cref="TooManyToolsException">Injecting would exceed the provider's tool limit.</exception>
    /// <remarks>Only then is the body built into an object (<see cref="RequestDocument.Object"/>), to be edited.</remarks>
    public Injection? Prepare(Interception interception, RequestDocument document)
    {
        var loopDialect = interception.Dialect.ToolLoop;
        var catalog = registry.CatalogFor(interception.User);
        if (loopDialect is null || catalog.Tools.Count == 0)
            return null;
        var request = document.Object;
        var clientTools = (request["tools"] as JsonArray)?.Count ?? 0;
        if (loopDialect.MaxTools is { } max && clientTools + catalog.Tools.Count > max)
            throw new TooManyToolsException($"The gateway injects {catalog.Tools.Count} approved MCP tools, and with the request's {clientTools} tools that exceeds the provider's limit of {max}. Send at most {max - catalog.Tools.Count} tools.");

        loopDialect.InjectTools(request, [.. catalog.Tools.Select(t => new ToolDefinition(t.Name, t.Description, (JsonObject)t.InputSchema.DeepClone()))]);
        var injected = catalog.Tools.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        return new Injection(loopDialect, injected, request, (calls, ct) => RunAsync(interception, catalog, calls, ct), options.MaxRounds, options.LoopTimeout);
    }

    private async Task<IReadOnlyList<ToolOutcome>> RunAsync(Interception interception, IToolCatalog catalog, IReadOnlyList<ToolCall> calls, CancellationToken ct)
    {
        LogRunning(interception.Id, calls.Count);
        return await Task.WhenAll(calls.Select(call => RunOneAsync(interception, catalog, call, ct)));
    }

    private async Task<ToolOutcome> RunOneAsync(Interception interception, IToolCatalog catalog, ToolCall call, CancellationToken ct)
    {
        if (!catalog.TryGet(call.Name, out var tool))
        {
            interception.RecordInjectedCall(call, "", null, "unknown injected tool");
            return new ToolOutcome(call, $"Unknown tool '{call.Name}'.", IsError: true);
        }
        using var span = BridgekeeperMetrics.Tracing.StartActivity($"execute_tool {call.Name}", System.Diagnostics.ActivityKind.Internal);
        span?.SetTag("gen_ai.operation.name", "execute_tool");
        span?.SetTag("gen_ai.tool.name", call.Name);
        span?.SetTag("gen_ai.tool.call.id", call.Id);
        span?.SetTag("gen_ai.tool.type", "function");
        span?.SetTag("server.address", tool.ServerDisplayUrl.Host);
        var result = await registry.InvokeAsync(interception.User, tool, call.Arguments, ct);
        metrics.InjectedToolCalled(tool.Server, tool.ToolName, result.IsError);
        if (result.IsError)
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, result.Error);
        interception.RecordInjectedCall(call, tool.ServerDisplayUrl.AbsoluteUri, result.Content, result.IsError ? result.Error ?? "tool error" : null, result.Duration);
        return new ToolOutcome(call, Storage.RecordText.Truncate(result.Content, options.MaxResultBytes), result.IsError);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Interception {InterceptionId}: running {Count} injected tool calls")]
    private partial void LogRunning(Guid interceptionId, int count);
}

/// <summary>The request plus the injected tools would exceed the provider's tool limit.</summary>
internal sealed class TooManyToolsException(string message) : Exception(message);

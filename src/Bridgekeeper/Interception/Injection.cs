using System.Text.Json.Nodes;
using Bridgekeeper.Providers;

namespace Bridgekeeper.Interception;

/// <summary>
/// The injected-tool side of one interception: the dialect's loop support, the shared loop state, the request body the
/// loop keeps appending to, and how to run a call. Null on an interception with nothing injected.
/// </summary>
internal sealed record Injection(
    IToolLoopDialect Dialect,
    LoopState State,
    JsonObject Request,
    Func<IReadOnlyList<ToolCall>, CancellationToken, Task<IReadOnlyList<ToolOutcome>>> RunAsync,
    int MaxRounds,
    TimeSpan LoopTimeout);

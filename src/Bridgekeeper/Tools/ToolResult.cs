namespace Bridgekeeper.Tools;

/// <summary>
/// The outcome of one injected tool call. <see cref="Content"/> goes back to the model (as a tool error when
/// <see cref="IsError"/>); <see cref="Error"/> is for the audit record (null on success).
/// </summary>
internal sealed record ToolResult(string Content, bool IsError, string? Error, TimeSpan Duration);

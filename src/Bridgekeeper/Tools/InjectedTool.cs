using System.Text.Json.Nodes;

namespace Bridgekeeper.Tools;

/// <summary>
/// A tool the gateway injects: <see cref="Name"/> is the prefixed name the model sees, <see cref="ToolName"/> the
/// server's own name. <see cref="ServerDisplayUrl"/> is the server's <see cref="McpServerOptions.DisplayUrl"/> (no query
/// string, no credentials): it is what the API shows and the audit records. <see cref="InputSchema"/> is shared by every request: clone it (<c>DeepClone()</c>) before adding
/// it to a request body, and never mutate it.
/// </summary>
internal sealed record InjectedTool(string Name, string Server, string ToolName, Uri ServerDisplayUrl, string? Description, JsonObject InputSchema);

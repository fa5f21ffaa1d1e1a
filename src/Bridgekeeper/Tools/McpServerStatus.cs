namespace Bridgekeeper.Tools;

/// <summary>
/// One configured MCP server as the gateway sees it now. <see cref="Connections"/> counts its open sessions (one shared,
/// or one per user token); <see cref="Tools"/> are the tools a connected session offers (after the allow and deny
/// filters), empty while none is connected.
/// </summary>
internal sealed record McpServerStatus(McpServerOptions Server, string Status, string? Error, IReadOnlyList<InjectedTool> Tools, int Connections)
{
    public const string Connected = "connected";
    public const string Connecting = "connecting";
    public const string Down = "down";

    /// <summary>No session is open: the server needs each user's own token and no user with one has asked yet, or it has gone idle.</summary>
    public const string Idle = "idle";

    /// <summary>Summarises a server's sessions: connected when any is, else down when any failed, else connecting (idle when there are none).</summary>
    public static McpServerStatus Of(McpServerOptions server, IReadOnlyCollection<McpConnection> connections)
    {
        var connected = connections.FirstOrDefault(c => c.Status == Connected);
        var down = connections.FirstOrDefault(c => c.Status == Down);
        var status = connected is not null ? Connected : down is not null ? Down : connections.Count > 0 ? Connecting : Idle;
        return new McpServerStatus(server, status, connected is null ? down?.LastError : null, connected?.Tools ?? [], connections.Count);
    }
}

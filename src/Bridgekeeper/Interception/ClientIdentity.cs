using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.Interception;

/// <summary>Which coding agent sent a request, and its session, from headers (SPEC §5).</summary>
internal static class ClientIdentity
{
    private static readonly (string Prefix, string Client)[] Clients =
    [
        ("claude-cli", "Claude Code"),
        ("claude-code", "Claude Code"),
        ("codex", "Codex"),
        ("zed/", "Zed"),
        ("kilo-code/", "Kilo Code"),
        ("roo-code/", "Roo Code"),
        ("opencode", "OpenCode"),
        ("cline", "Cline"),
        ("GitHubCopilotChat/", "Copilot"),
    ];

    public static string Client(string? userAgent)
    {
        if (string.IsNullOrEmpty(userAgent))
            return "Unknown";
        foreach (var (prefix, client) in Clients)
            if (userAgent.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                return client;
        return "Unknown";
    }

    /// <summary>Claude Code's header, then a session carried in the body, then Codex's headers.</summary>
    public static string? Session(IHeaderDictionary headers, string? bodySession)
    {
        var claude = headers["X-Claude-Code-Session-Id"].ToString();
        if (claude.Length > 0)
            return claude;
        if (!string.IsNullOrEmpty(bodySession))
            return bodySession;
        var codex = headers["session-id"].ToString();
        if (codex.Length > 0)
            return codex;
        var older = headers["session_id"].ToString();
        return older.Length > 0 ? older : null;
    }
}

namespace Bridgekeeper.Providers.AnthropicMessages;

/// <summary>The content blocks the audit cares about.</summary>
internal enum AnthropicBlockKind
{
    /// <summary><c>tool_use</c>, <c>server_tool_use</c> or <c>mcp_tool_use</c>.</summary>
    ToolUse,

    /// <summary><c>thinking</c> (<c>redacted_thinking</c> is encrypted and not recorded).</summary>
    Thinking,
}

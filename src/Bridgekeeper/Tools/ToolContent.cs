using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Bridgekeeper.Tools;

/// <summary>Turns an MCP tool result into the text the model gets back.</summary>
internal static class ToolContent
{
    private static readonly JsonTypeInfo<ContentBlock> BlockInfo =
        (JsonTypeInfo<ContentBlock>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ContentBlock));

    /// <summary>The text blocks joined with <c>\n</c>; other blocks as their JSON; structured content when there is nothing else.</summary>
    public static string Text(CallToolResult result)
    {
        if (result.Content.Count == 0)
            return result.StructuredContent is { } structured ? structured.GetRawText() : "";
        return string.Join('\n', result.Content.Select(block => block is TextContentBlock text ? text.Text : JsonSerializer.Serialize(block, BlockInfo)));
    }
}

using System.Collections;
using Bridgekeeper.Settings;
using Bridgekeeper.Tools;
using YamlDotNet.RepresentationModel;

namespace Bridgekeeper.Hosting;

/// <summary>
/// The approved MCP servers (SPEC §2): <c>BRIDGEKEEPER_MCP_&lt;N&gt;_NAME</c>, <c>_URL</c>, <c>_TRANSPORT</c>, <c>_HEADERS</c>,
/// <c>_TOOL_ALLOW_REGEX</c>, <c>_TOOL_DENY_REGEX</c> and <c>_REQUIRE_USER_TOKEN</c>, N from 0; then the YAML list
/// <c>mcp_servers</c> with the same fields in lowercase.
/// </summary>
internal static class McpSettings
{
    public const string YamlKey = "mcp_servers";

    public static IReadOnlyList<McpServerOptions> Load(IDictionary environment, IReadOnlyDictionary<string, YamlNode> yaml)
    {
        var servers = new List<McpServerOptions>();
        for (var n = 0; environment[$"BRIDGEKEEPER_MCP_{n}_NAME"] is string || environment[$"BRIDGEKEEPER_MCP_{n}_URL"] is string; n++)
        {
            var prefix = $"BRIDGEKEEPER_MCP_{n}";
            string? Field(string field) => environment[$"{prefix}_{field}"] as string;
            servers.Add(McpServerOptions.Create(prefix, Field("NAME"), Field("URL"), Field("TRANSPORT"),
                McpServerOptions.ParseHeaders(prefix + "_HEADERS", Field("HEADERS")), Field("TOOL_ALLOW_REGEX"), Field("TOOL_DENY_REGEX"),
                Flag(prefix + "_REQUIRE_USER_TOKEN", Field("REQUIRE_USER_TOKEN"))));
        }
        if (yaml.TryGetValue(YamlKey, out var node))
        {
            if (node is not YamlSequenceNode list)
                throw new SettingsException(YamlKey, "must be a list of {name, url, transport, headers, tool_allow_regex, tool_deny_regex} maps.");
            var index = 0;
            foreach (var item in list)
            {
                var prefix = $"{YamlKey}[{index++}]";
                if (item is not YamlMappingNode map)
                    throw new SettingsException(prefix, "must be a map.");
                string? Field(string field) => map.Children.TryGetValue(new YamlScalarNode(field), out var v) ? (v as YamlScalarNode)?.Value : null;
                var headersSetting = McpServerOptions.Field(prefix, "HEADERS");
                var headers = map.Children.TryGetValue(new YamlScalarNode("headers"), out var h) && h is YamlMappingNode headerMap
                    ? McpServerOptions.ParseHeaders(headersSetting, headerMap.Children.Select(p => (
                        (p.Key as YamlScalarNode)?.Value ?? throw new SettingsException(headersSetting, "header names must be plain text."),
                        (p.Value as YamlScalarNode)?.Value ?? throw new SettingsException(headersSetting, "header values must be plain text."))))
                    : McpServerOptions.ParseHeaders(headersSetting, Field("headers"));
                servers.Add(McpServerOptions.Create(prefix, Field("name"), Field("url"), Field("transport"), headers,
                    Field("tool_allow_regex"), Field("tool_deny_regex"), Flag(McpServerOptions.Field(prefix, "REQUIRE_USER_TOKEN"), Field("require_user_token"))));
            }
        }
        McpServerOptions.ValidateAll(servers);
        return servers;
    }

    private static bool Flag(string setting, string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "false" or "0" or "no" => false,
        "true" or "1" or "yes" => true,
        _ => throw new SettingsException(setting, $"'{value}' is not true or false."),
    };
}

using System.Collections.Frozen;
using System.Text.Json.Nodes;
using K = Bridgekeeper.MockUpstream.MockWireKeys;

namespace Bridgekeeper.MockUpstream;

/// <summary>The client's shell tool, as offered in the request's <c>tools</c>, and the arguments its JSON schema asks for.</summary>
internal sealed record MockShellTool(string Name, JsonObject? Schema)
{
    public const string RunDescription = "Run the requested command";
    private const string Cmd = "cmd";
    private const string Command = "command";
    private const string Description = "description";

    /// <summary>Codex: <c>exec_command</c>, <c>shell_command</c>, <c>shell</c>, <c>local_shell</c>; Claude Code: <c>Bash</c>.</summary>
    private static readonly FrozenSet<string> Names =
        new[] { "exec_command", "shell_command", "shell", "local_shell", "bash" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The first tool whose name is a shell tool's (Responses: also inside <c>namespace</c> tools), or null.</summary>
    public static MockShellTool? Find(MockApi api, JsonObject request) =>
        request[K.Tools] is JsonArray tools ? Find(api, tools) : null;

    /// <summary>
    /// <c>{"cmd": C}</c> when the schema has <c>cmd</c>; <c>{"command": ["bash","-lc",C]}</c> for an array <c>command</c>;
    /// otherwise <c>{"command": C}</c>. Plus <c>"description"</c> when the schema requires one.
    /// </summary>
    public string Arguments(string command)
    {
        var properties = Schema?[K.Properties] as JsonObject;
        var arguments = new JsonObject();
        if (properties?.ContainsKey(Cmd) == true)
            arguments[Cmd] = command;
        else if (properties?[Command] is JsonObject property && MockJson.String(property[K.Type]) == "array")
            arguments[Command] = new JsonArray("bash", "-lc", command);
        else
            arguments[Command] = command;
        if (properties?.ContainsKey(Description) == true && Schema?[K.Required] is JsonArray required
            && required.Any(name => MockJson.String(name) == Description))
            arguments[Description] = RunDescription;
        return MockJson.ToText(arguments);
    }

    private static MockShellTool? Find(MockApi api, JsonArray tools)
    {
        foreach (var node in tools)
        {
            if (node is not JsonObject tool)
                continue;
            var (name, schema) = api switch
            {
                MockApi.OpenAIChat => (tool[K.Function] as JsonObject) is { } function
                    ? (MockJson.String(function[K.Name]), function[K.Parameters])
                    : (null, null),
                MockApi.AnthropicMessages => (MockJson.String(tool[K.Name]), tool[K.InputSchema]),
                _ => (MockJson.String(tool[K.Name]), tool[K.Parameters]),
            };
            if (name is not null && Names.Contains(name))
                return new MockShellTool(name, schema as JsonObject);
            if (api is MockApi.OpenAIResponses && MockJson.String(tool[K.Type]) == K.Namespace
                && tool[K.Tools] is JsonArray nested && Find(api, nested) is { } inner)
                return inner;
        }
        return null;
    }
}

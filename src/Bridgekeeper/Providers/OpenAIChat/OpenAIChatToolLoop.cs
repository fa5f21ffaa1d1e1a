using System.Text.Json.Nodes;

namespace Bridgekeeper.Providers.OpenAIChat;

/// <summary>
/// Injected tools and the hidden loop on Chat Completions: tools as <c>{type: function, function: {name, description,
/// parameters}}</c>, the model's calls as an assistant message with <c>tool_calls</c>, results as <c>role: tool</c> messages.
/// </summary>
internal sealed class OpenAIChatToolLoop : IToolLoopDialect
{
    public int? MaxTools => 128;

    public void InjectTools(JsonObject request, IReadOnlyList<ToolDefinition> tools)
    {
        LoopWire.PrependTools(request, tools.Select(tool => (JsonNode)new JsonObject
        {
            [Keys.Type] = Keys.Function,
            [Keys.Function] = new JsonObject
            {
                [Keys.Name] = tool.Name,
                [Keys.Description] = tool.Description ?? "",
                [Keys.Parameters] = tool.InputSchema.DeepClone(),
            },
        }));
    }

    public ILoopTurn BeginTurn(RequestFacts facts, LoopState loop) => new OpenAIChatLoopTurn(facts, loop);

    /// <summary>Appends the assistant's message of a turn and the injected tools' results, as <c>role: tool</c> messages.</summary>
    public static void AppendToolResults(JsonObject request, JsonObject assistantMessage, IReadOnlyList<ToolOutcome> outcomes)
    {
        if (request[Keys.Messages] is not JsonArray messages)
            request[Keys.Messages] = messages = [];
        messages.Add(assistantMessage);
        foreach (var outcome in outcomes)
        {
            messages.Add(new JsonObject
            {
                [Keys.Role] = Keys.Tool,
                [Keys.ToolCallId] = outcome.Call.Id,
                [Keys.Content] = outcome.Content,
            });
        }
    }
}

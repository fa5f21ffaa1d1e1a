using System.Text.Json.Nodes;

namespace Bridgekeeper.Providers.AnthropicMessages;

/// <summary>Injected tools and the hidden loop on Messages: tools as <c>{name, description, input_schema}</c>, results as <c>tool_result</c> blocks.</summary>
internal sealed class AnthropicToolLoop : IToolLoopDialect
{
    public int? MaxTools => null;

    public void InjectTools(JsonObject request, IReadOnlyList<ToolDefinition> tools)
    {
        LoopWire.PrependTools(request, tools.Select(tool => (JsonNode)new JsonObject
        {
            ["name"] = tool.Name,
            ["description"] = tool.Description ?? "",
            ["input_schema"] = tool.InputSchema.DeepClone(),
        }));
    }

    public ILoopTurn BeginTurn(RequestFacts facts, LoopState loop) => new AnthropicLoopTurn(loop);

    /// <summary>Appends the assistant's content of a turn and the injected tools' results, as <c>tool_result</c> blocks.</summary>
    public static void AppendToolResults(JsonObject request, JsonArray assistantContent, IReadOnlyList<ToolOutcome> outcomes)
    {
        if (request[Keys.Messages] is not JsonArray messages)
            request[Keys.Messages] = messages = [];
        messages.Add(new JsonObject { ["role"] = "assistant", [Keys.Content] = assistantContent });
        messages.Add(new JsonObject
        {
            ["role"] = "user",
            [Keys.Content] = new JsonArray([.. outcomes.Select(outcome => (JsonNode)new JsonObject
            {
                ["type"] = "tool_result",
                ["tool_use_id"] = outcome.Call.Id,
                [Keys.Content] = outcome.Content,
                ["is_error"] = outcome.IsError,
            })]),
        });
    }
}

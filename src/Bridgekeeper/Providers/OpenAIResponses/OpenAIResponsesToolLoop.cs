using System.Text.Json.Nodes;
using IT = Bridgekeeper.Providers.OpenAIResponses.Keys.ItemTypes;

namespace Bridgekeeper.Providers.OpenAIResponses;

/// <summary>
/// Injected tools and the hidden loop on Responses: tools as <c>{"type":"function", name, description, parameters}</c>,
/// the turn's output items appended to <c>input</c> as returned, results as <c>function_call_output</c> items.
/// </summary>
internal sealed class OpenAIResponsesToolLoop : IToolLoopDialect
{
    public int? MaxTools => 128;

    /// <summary>Prepends the injected tools; the client's own (<c>namespace</c>, <c>web_search</c>, <c>custom</c>, ...) follow untouched.</summary>
    public void InjectTools(JsonObject request, IReadOnlyList<ToolDefinition> tools)
    {
        LoopWire.PrependTools(request, tools.Select(tool => (JsonNode)new JsonObject
        {
            [Keys.Type] = Keys.Function,
            [Keys.Name] = tool.Name,
            [Keys.Description] = tool.Description ?? "",
            [Keys.Parameters] = tool.InputSchema.DeepClone(),
            [Keys.Strict] = false,
        }));
    }

    public ILoopTurn BeginTurn(RequestFacts facts, LoopState loop) => new OpenAIResponsesLoopTurn(loop);

    /// <summary>
    /// Appends every output item of the turn (reasoning, messages, the injected calls), then one
    /// <c>function_call_output</c> per result. A string <c>input</c> becomes its user message first;
    /// <c>previous_response_id</c> stays as it is. With <c>"store": false</c> nothing the API returned is persisted,
    /// so item ids are left out (an id it cannot find is an error: "Items are not persisted when store is set to
    /// false"), as Codex sends its own history, and a reasoning item without <c>encrypted_content</c>, which would
    /// then carry nothing, is dropped.
    /// </summary>
    public static void AppendToolResults(JsonObject request, IReadOnlyList<JsonObject> output, IReadOnlyList<ToolOutcome> outcomes)
    {
        var input = request[Keys.Input];
        if (input is not JsonArray items)
        {
            items = [];
            if (Json.String(input) is { } text)
                items.Add(new JsonObject { [Keys.Role] = Keys.User, [Keys.Content] = text });
            request[Keys.Input] = items;
        }
        var stateless = Json.Bool(request[Keys.Store]) == false;
        foreach (var item in output)
        {
            if (stateless)
            {
                if (Json.String(item[Keys.Type]) == IT.Reasoning && Json.String(item[Keys.EncryptedContent]) is null)
                    continue;
                item.Remove(Keys.Id);
            }
            items.Add(item);
        }
        foreach (var outcome in outcomes)
            items.Add(new JsonObject
            {
                [Keys.Type] = IT.FunctionCallOutput,
                [Keys.CallId] = outcome.Call.Id,
                [Keys.Output] = outcome.Content,
            });
    }
}

using System.Text.Json.Nodes;
using K = Bridgekeeper.MockUpstream.MockWireKeys;

namespace Bridgekeeper.MockUpstream;

/// <summary>What one completion reply will say, decided from the controls, the prompt's directives and the request body.</summary>
internal sealed record MockReply(string Model, bool Stream, bool IncludeUsage, MockControls Controls, string Text, bool CallsTool)
{
    public MockScenario Scenario => Controls.Scenario;
    public MockUsage Usage => Controls.Usage;

    /// <summary>With a tool call, text is sent first only when <c>x-mock-text</c> (or <c>mock:reply=</c>) asked for it.</summary>
    public bool HasText => !CallsTool || Controls.TextGiven;

    public List<string> TextPieces => MockText.SplitWords(Text, Controls.ChunkWords);

    /// <summary>False with a message when a directive is malformed (the caller answers 400).</summary>
    public static bool TryFrom(MockApi api, MockControls controls, JsonObject request, out MockReply reply, out string? error)
    {
        reply = null!;
        var directives = MockDirectives.Parse(MockConversation.LastUserText(api, request));
        if (!directives.TryApply(api, request, controls, out controls, out error))
            return false;
        var toolResult = MockConversation.LastToolResult(api, request);
        reply = new MockReply(
            Model: MockJson.String(request[K.Model]) ?? (api is MockApi.AnthropicMessages ? MockModels.DefaultAnthropicModel : MockModels.DefaultOpenAIModel),
            Stream: MockJson.Bool(request[K.Stream]),
            IncludeUsage: api is MockApi.OpenAIChat && request[K.StreamOptions] is JsonObject options && MockJson.Bool(options[K.IncludeUsage]),
            Controls: controls,
            Text: toolResult is null ? controls.Text : MockConversation.ToolResultPrefix + toolResult,
            CallsTool: controls.Scenario is MockScenario.ToolCall && toolResult is null);
        return true;
    }
}

using System.Text.Json.Nodes;
using K = Bridgekeeper.MockUpstream.MockWireKeys;

namespace Bridgekeeper.MockUpstream;

/// <summary>What one completion reply will say, decided from the controls and the request body.</summary>
internal sealed record MockReply(string Model, bool Stream, bool IncludeUsage, MockControls Controls, string Text, bool CallsTool)
{
    public MockScenario Scenario => Controls.Scenario;
    public MockUsage Usage => Controls.Usage;

    /// <summary>With a tool call, text is sent first only when <c>x-mock-text</c> asked for it.</summary>
    public bool HasText => !CallsTool || Controls.TextGiven;

    public List<string> TextPieces => MockText.SplitWords(Text, Controls.ChunkWords);

    public static MockReply From(MockProvider provider, MockControls controls, JsonObject request, string defaultModel)
    {
        var toolResult = MockConversation.LastToolResult(provider, request);
        return new MockReply(
            Model: MockJson.String(request[K.Model]) ?? defaultModel,
            Stream: MockJson.Bool(request[K.Stream]),
            IncludeUsage: request[K.StreamOptions] is JsonObject options && MockJson.Bool(options[K.IncludeUsage]),
            Controls: controls,
            Text: toolResult is null ? controls.Text : MockConversation.ToolResultPrefix + toolResult,
            CallsTool: controls.Scenario is MockScenario.ToolCall && toolResult is null);
    }
}

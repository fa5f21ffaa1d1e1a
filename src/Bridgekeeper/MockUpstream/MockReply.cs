using System.Text.Json.Nodes;
using K = Bridgekeeper.MockUpstream.MockWireKeys;

namespace Bridgekeeper.MockUpstream;

/// <summary>What one completion reply will say, decided from the controls, the prompt's directives and the request body.</summary>
internal sealed record MockReply(string Model, bool Stream, bool IncludeUsage, MockControls Controls, string Text, bool CallsTool)
{
    /// <summary>
    /// The OpenAI service tier that served the reply, as the API reports it: the requested <c>flex</c>, <c>priority</c> or
    /// <c>scale</c>; <c>default</c> for <c>auto</c>, <c>default</c> or none.
    /// </summary>
    public string ServiceTier { get; init; } = "default";

    public MockScenario Scenario => Controls.Scenario;
    /// <summary>The figures the reply reports; its web searches are the ones it runs (<see cref="WebSearches"/>).</summary>
    public MockUsage Usage => Controls.Usage with { WebSearches = WebSearches };

    /// <summary>The searches a <see cref="MockScenario.WebSearch"/> reply runs before its text (<c>web_searches=</c>, at least 1); none elsewhere.</summary>
    public int WebSearches => Scenario is MockScenario.WebSearch ? Math.Max(1, Controls.Usage.WebSearches) : 0;

    /// <summary>The calls of this turn, in order (when <see cref="CallsTool"/>).</summary>
    public IReadOnlyList<MockToolCall> ToolCalls => Controls.ToolCalls;

    /// <summary>With a tool call, text is sent first only when <c>x-mock-text</c> (or <c>mock:reply=</c>) asked for it.</summary>
    public bool HasText => !CallsTool || Controls.TextGiven;

    public List<string> TextPieces => MockText.SplitWords(Text, Controls.ChunkWords);

    /// <summary>
    /// False with a message when a directive is malformed (the caller answers 400). A conversation ending with tool results
    /// gets <c>Tool said: r1 | r2</c>, unless it is a tool-call reply with fewer than <c>x-mock-rounds</c> tool rounds
    /// (assistant turns with tool calls, at least one; plus <paramref name="priorRounds"/> from a Responses
    /// <c>previous_response_id</c> chain): then the same calls again. That answering turn takes the scenario of
    /// <c>x-mock-after-tools</c> when it is given.
    /// </summary>
    public static bool TryFrom(MockApi api, MockControls controls, JsonObject request, out MockReply reply, out string? error, int priorRounds = 0)
    {
        reply = null!;
        var directives = MockDirectives.Parse(MockConversation.LastUserText(api, request));
        if (!directives.TryApply(api, request, controls, out controls, out error))
            return false;
        var results = MockConversation.TrailingToolResults(api, request);
        var rounds = results.Count == 0 ? 0 : Math.Max(1, MockConversation.ToolRounds(api, request) + priorRounds);
        var callsTool = controls.Scenario is MockScenario.ToolCall && (results.Count == 0 || rounds < controls.Rounds);
        if (results.Count > 0 && !callsTool && controls.AfterTools is { } after)
            controls = controls with { Scenario = after };
        reply = new MockReply(
            Model: MockJson.String(request[K.Model]) ?? (api is MockApi.AnthropicMessages ? MockModels.DefaultAnthropicModel : MockModels.DefaultOpenAIModel),
            Stream: MockJson.Bool(request[K.Stream]),
            IncludeUsage: api is MockApi.OpenAIChat && request[K.StreamOptions] is JsonObject options && MockJson.Bool(options[K.IncludeUsage]),
            Controls: controls,
            Text: results.Count == 0 || callsTool
                ? controls.Text
                : MockConversation.ToolResultPrefix + string.Join(MockConversation.ToolResultSeparator, results),
            CallsTool: callsTool)
        {
            ServiceTier = MockJson.String(request[K.ServiceTier]) is { } tier && tier is "flex" or "priority" or "scale" ? tier : "default",
        };
        return true;
    }
}

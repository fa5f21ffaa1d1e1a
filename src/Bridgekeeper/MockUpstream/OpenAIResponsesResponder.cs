using System.Text.Json.Nodes;
using E = Bridgekeeper.MockUpstream.OpenAIResponsesEvents;
using K = Bridgekeeper.MockUpstream.MockWireKeys;

namespace Bridgekeeper.MockUpstream;

/// <summary>
/// Answers <c>POST /openai/v1/responses</c> once the request passed auth and parsing. Output items, in order: a reasoning
/// item (<c>thinking</c>), a web search call (<c>web_search</c>), a commentary message (<c>commentary</c>), the text
/// message, the function calls (<c>tool_call</c>), one item each. The response is kept in <paramref name="store"/> (null: <c>"store": false</c>).
/// </summary>
internal sealed class OpenAIResponsesResponder(MockCall call, MockReply reply, E events, MockResponseStore? store)
{
    private readonly JsonArray _output = [];

    public async Task RespondAsync()
    {
        if (!reply.Stream)
        {
            await BlockingAsync();
            return;
        }
        call.StartStream(OpenAIChatResponder.RequestIdHeader, MockErrors.NewOpenAIRequestId());
        store?.Put(events.Id, events.Response(E.InProgress, [], null));
        await WriteAsync(E.CreatedEvent, [new(K.Response, events.Response(E.InProgress, [], null))]);
        await WriteAsync(E.InProgressEvent, [new(K.Response, events.Response(E.InProgress, [], null))]);
        if (reply.Scenario is MockScenario.Thinking)
            await ReasoningAsync();
        for (var search = 0; search < reply.WebSearches; search++)
            await WebSearchAsync();
        if (reply.Scenario is MockScenario.Commentary)
            await MessageAsync(E.CommentaryText, E.CommentaryPhase, interruptible: false);
        if (reply.HasText && !await MessageAsync(reply.Text, FinalPhase, interruptible: true))
            return;
        foreach (var tool in reply.CallsTool ? reply.ToolCalls : [])
            await FunctionCallAsync(tool);
        var completed = events.Response(E.Completed, (JsonArray)_output.DeepClone(), reply.Usage);
        store?.Put(events.Id, completed);
        await WriteAsync(E.CompletedEvent, [new(K.Response, completed)]);
    }

    private string? FinalPhase => reply.Scenario is MockScenario.Commentary ? E.FinalAnswerPhase : null;

    /// <summary>A message item; false when the stream was interrupted after its first delta (and must end).</summary>
    private async Task<bool> MessageAsync(string text, string? phase, bool interruptible)
    {
        var (index, id) = (_output.Count, E.NewItemId("msg_"));
        await WriteAsync(E.OutputItemAddedEvent, [new(K.OutputIndex, index), new(K.Item, E.Message(id, E.InProgress, [], phase))]);
        await WriteAsync(E.ContentPartAddedEvent, [.. Where(id, index), new(K.ContentIndex, 0), new(K.Part, E.OutputText(""))]);
        var pieces = MockText.SplitWords(text, reply.Controls.ChunkWords);
        for (var i = 0; i < pieces.Count; i++)
        {
            await WriteAsync(E.OutputTextDeltaEvent,
                [.. Where(id, index), new(K.ContentIndex, 0), new(K.Delta, pieces[i]), new(K.Logprobs, new JsonArray())]);
            if (i == 0 && interruptible && await InterruptedAsync())
                return false;
        }
        if (pieces.Count == 0 && interruptible && await InterruptedAsync())
            return false;
        await WriteAsync(E.OutputTextDoneEvent, [.. Where(id, index), new(K.ContentIndex, 0), new(K.Text, text), new(K.Logprobs, new JsonArray())]);
        await WriteAsync(E.ContentPartDoneEvent, [.. Where(id, index), new(K.ContentIndex, 0), new(K.Part, E.OutputText(text))]);
        await ItemDoneAsync(index, E.Message(id, E.Completed, [E.OutputText(text)], phase));
        return true;
    }

    private async Task ReasoningAsync()
    {
        var (index, id) = (_output.Count, E.NewItemId("rs_"));
        await WriteAsync(E.OutputItemAddedEvent, [new(K.OutputIndex, index), new(K.Item, events.Reasoning(id, []))]);
        await WriteAsync(E.SummaryPartAddedEvent, [.. Where(id, index), new(K.SummaryIndex, 0), new(K.Part, E.SummaryText(""))]);
        foreach (var piece in MockText.SplitWords(E.ReasoningSummary, reply.Controls.ChunkWords))
            await WriteAsync(E.SummaryTextDeltaEvent, [.. Where(id, index), new(K.SummaryIndex, 0), new(K.Delta, piece)]);
        await WriteAsync(E.SummaryTextDoneEvent, [.. Where(id, index), new(K.SummaryIndex, 0), new(K.Text, E.ReasoningSummary)]);
        await WriteAsync(E.SummaryPartDoneEvent, [.. Where(id, index), new(K.SummaryIndex, 0), new(K.Part, E.SummaryText(E.ReasoningSummary))]);
        await ItemDoneAsync(index, events.Reasoning(id, [E.SummaryText(E.ReasoningSummary)]));
    }

    private async Task WebSearchAsync()
    {
        var (index, id) = (_output.Count, E.NewItemId("ws_"));
        await WriteAsync(E.OutputItemAddedEvent, [new(K.OutputIndex, index), new(K.Item, E.WebSearch(id, E.InProgress))]);
        await WriteAsync(E.WebSearchInProgressEvent, [new(K.OutputIndex, index), new(K.ItemId, id)]);
        await WriteAsync(E.WebSearchSearchingEvent, [new(K.OutputIndex, index), new(K.ItemId, id)]);
        await WriteAsync(E.WebSearchCompletedEvent, [new(K.OutputIndex, index), new(K.ItemId, id)]);
        await ItemDoneAsync(index, E.WebSearch(id, E.Completed));
    }

    private async Task FunctionCallAsync(MockToolCall tool)
    {
        var (index, id, callId) = (_output.Count, E.NewItemId("fc_"), MockText.NewId("call_", 24));
        var (name, arguments) = (tool.Name, tool.Arguments);
        await WriteAsync(E.OutputItemAddedEvent, [new(K.OutputIndex, index), new(K.Item, E.FunctionCall(id, E.InProgress, "", callId, name))]);
        foreach (var piece in MockText.SplitPieces(arguments))
            await WriteAsync(E.ArgumentsDeltaEvent, [.. Where(id, index), new(K.Delta, piece)]);
        await WriteAsync(E.ArgumentsDoneEvent, [.. Where(id, index), new(K.Name, name), new(K.Arguments, arguments)]);
        await ItemDoneAsync(index, E.FunctionCall(id, E.Completed, arguments, callId, name));
    }

    private Task ItemDoneAsync(int index, JsonObject item)
    {
        _output.Add(item.DeepClone());
        return WriteAsync(E.OutputItemDoneEvent, [new(K.OutputIndex, index), new(K.Item, item)]);
    }

    /// <summary>For <c>error_mid</c> (<c>response.failed</c>), <c>hang</c>, <c>cut</c> and <c>drop</c>: true when the stream must end here.</summary>
    private Task<bool> InterruptedAsync() => call.InterruptedAsync(reply.Scenario, async () =>
    {
        var failed = events.Response(E.Failed, (JsonArray)_output.DeepClone(), null, E.FailedError());
        store?.Put(events.Id, failed);
        await WriteAsync(E.FailedEvent, [new(K.Response, failed)]);
    });

    private async Task BlockingAsync()
    {
        if (await call.HungBlockingAsync(reply.Scenario))
            return;
        if (reply.Scenario is MockScenario.Thinking)
            _output.Add(events.Reasoning(E.NewItemId("rs_"), [E.SummaryText(E.ReasoningSummary)]));
        for (var search = 0; search < reply.WebSearches; search++)
            _output.Add(E.WebSearch(E.NewItemId("ws_"), E.Completed));
        if (reply.Scenario is MockScenario.Commentary)
            _output.Add(E.Message(E.NewItemId("msg_"), E.Completed, [E.OutputText(E.CommentaryText)], E.CommentaryPhase));
        if (reply.HasText)
            _output.Add(E.Message(E.NewItemId("msg_"), E.Completed, [E.OutputText(reply.Text)], FinalPhase));
        foreach (var tool in reply.CallsTool ? reply.ToolCalls : [])
            _output.Add(E.FunctionCall(E.NewItemId("fc_"), E.Completed, tool.Arguments, MockText.NewId("call_", 24), tool.Name));
        var response = events.Response(E.Completed, _output, reply.Usage);
        store?.Put(events.Id, response);
        await call.WriteReplyAsync(reply.Scenario, response, OpenAIChatResponder.RequestIdHeader, MockErrors.NewOpenAIRequestId());
    }

    private static KeyValuePair<string, JsonNode?>[] Where(string itemId, int outputIndex) =>
        [new(K.ItemId, itemId), new(K.OutputIndex, outputIndex)];

    private Task WriteAsync(string type, ReadOnlySpan<KeyValuePair<string, JsonNode?>> fields) =>
        call.WriteEventAsync(type, events.Event(type, fields));
}

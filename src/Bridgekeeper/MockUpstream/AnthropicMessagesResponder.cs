using System.Text.Json.Nodes;
using K = Bridgekeeper.MockUpstream.MockWireKeys;

namespace Bridgekeeper.MockUpstream;

/// <summary>Answers <c>POST /anthropic/v1/messages</c> once the request passed auth and parsing.</summary>
internal static class AnthropicMessagesResponder
{
    public const string RequestIdHeader = "request-id";
    private const string TextDelta = "text_delta";
    private const string ThinkingDelta = "thinking_delta";
    private const string SignatureDelta = "signature_delta";
    private const string InputJsonDelta = "input_json_delta";
    private const string EndTurn = "end_turn";

    public static async Task RespondAsync(MockCall call, MockReply reply)
    {
        if (!reply.Stream)
        {
            if (!await call.HungBlockingAsync(reply.Scenario))
                await call.WriteReplyAsync(reply.Scenario, Message(reply), RequestIdHeader, MockErrors.NewAnthropicRequestId());
            return;
        }
        call.StartStream(RequestIdHeader, MockErrors.NewAnthropicRequestId());
        await StreamAsync(call, reply, new SseMessagesStream(call));
    }

    /// <summary>
    /// The stream's events in order, handed to <paramref name="stream"/> as data (the Anthropic mock writes SSE frames,
    /// the Bedrock mock event-stream frames); <c>error_mid</c>, <c>hang</c>, <c>cut</c> and <c>drop</c> strike after the first text.
    /// </summary>
    public static async Task StreamAsync(MockCall call, MockReply reply, IMessagesStream stream)
    {
        var events = new AnthropicMessageEvents(reply.Model);
        await stream.EventAsync(AnthropicMessageEvents.MessageStartEvent, events.MessageStart(reply.Usage));
        var index = 0;
        if (reply.Scenario is MockScenario.Thinking)
        {
            await StartBlockAsync(stream, index, AnthropicMessageEvents.ThinkingBlock("", ""));
            foreach (var piece in MockText.SplitWords(AnthropicMessageEvents.ThinkingText, reply.Controls.ChunkWords))
                await DeltaAsync(stream, index, ThinkingDelta, K.Thinking, piece);
            await DeltaAsync(stream, index, SignatureDelta, K.Signature, AnthropicMessageEvents.Signature);
            await StopBlockAsync(stream, index++);
        }
        for (var search = 0; search < reply.WebSearches; search++)
        {
            var id = AnthropicMessageEvents.NewServerToolUseId();
            await StartBlockAsync(stream, index, AnthropicMessageEvents.WebSearchUse(id, new JsonObject()));
            await DeltaAsync(stream, index, InputJsonDelta, K.PartialJson, AnthropicMessageEvents.WebSearchQuery().ToJsonString());
            await StopBlockAsync(stream, index++);
            await StartBlockAsync(stream, index, AnthropicMessageEvents.WebSearchResult(id));
            await StopBlockAsync(stream, index++);
        }
        if (reply.HasText)
        {
            await StartBlockAsync(stream, index, AnthropicMessageEvents.TextBlock(""));
            var pieces = reply.TextPieces;
            for (var i = 0; i < pieces.Count; i++)
            {
                await DeltaAsync(stream, index, TextDelta, K.Text, pieces[i]);
                if (i == 0 && await call.InterruptedAsync(reply.Scenario, stream.ErrorAsync))
                    return;
            }
            if (pieces.Count == 0 && await call.InterruptedAsync(reply.Scenario, stream.ErrorAsync))
                return;
            await StopBlockAsync(stream, index++);
        }
        foreach (var tool in reply.CallsTool ? reply.ToolCalls : [])
        {
            await StartBlockAsync(stream, index, AnthropicMessageEvents.ToolUseBlock(tool.Name, new JsonObject()));
            await DeltaAsync(stream, index, InputJsonDelta, K.PartialJson, "");
            foreach (var piece in MockText.SplitPieces(tool.Arguments))
                await DeltaAsync(stream, index, InputJsonDelta, K.PartialJson, piece);
            await StopBlockAsync(stream, index++);
        }
        var stopReason = reply.CallsTool ? K.ToolUse : EndTurn;
        await stream.EventAsync(AnthropicMessageEvents.MessageDeltaEvent, AnthropicMessageEvents.MessageDelta(stopReason, reply.Usage));
        await stream.EventAsync(AnthropicMessageEvents.MessageStopEvent, AnthropicMessageEvents.MessageStop());
    }

    /// <summary>A <c>content_block_start</c>; the first one is followed by a <c>ping</c>, as the real API does.</summary>
    private static async Task StartBlockAsync(IMessagesStream stream, int index, JsonObject block)
    {
        await stream.EventAsync(AnthropicMessageEvents.ContentBlockStartEvent, AnthropicMessageEvents.BlockStart(index, block));
        if (index == 0)
            await stream.PingAsync();
    }

    private static Task DeltaAsync(IMessagesStream stream, int index, string deltaType, string field, string value) =>
        stream.EventAsync(AnthropicMessageEvents.ContentBlockDeltaEvent, AnthropicMessageEvents.Delta(index, deltaType, field, value));

    private static Task StopBlockAsync(IMessagesStream stream, int index) =>
        stream.EventAsync(AnthropicMessageEvents.ContentBlockStopEvent, AnthropicMessageEvents.BlockStop(index));

    /// <summary>The blocking <c>message</c> body of the reply.</summary>
    public static JsonObject Message(MockReply reply)
    {
        var content = new JsonArray();
        if (reply.Scenario is MockScenario.Thinking)
            content.Add(AnthropicMessageEvents.ThinkingBlock(AnthropicMessageEvents.ThinkingText, AnthropicMessageEvents.Signature));
        for (var search = 0; search < reply.WebSearches; search++)
        {
            var id = AnthropicMessageEvents.NewServerToolUseId();
            content.Add(AnthropicMessageEvents.WebSearchUse(id, AnthropicMessageEvents.WebSearchQuery()));
            content.Add(AnthropicMessageEvents.WebSearchResult(id));
        }
        if (reply.HasText)
            content.Add(AnthropicMessageEvents.TextBlock(reply.Text));
        foreach (var tool in reply.CallsTool ? reply.ToolCalls : [])
            content.Add(AnthropicMessageEvents.ToolUseBlock(tool.Name, JsonNode.Parse(tool.Arguments)!));
        return new AnthropicMessageEvents(reply.Model).Message(content, reply.CallsTool ? K.ToolUse : EndTurn, reply.Usage);
    }

    /// <summary>The Anthropic API's own stream: SSE frames, a <c>ping</c>, and an <c>error</c> event for <c>error_mid</c>.</summary>
    private sealed class SseMessagesStream(MockCall call) : IMessagesStream
    {
        public Task EventAsync(string name, JsonNode data) => call.WriteEventAsync(name, data);

        public Task PingAsync() => call.WriteEventAsync(AnthropicMessageEvents.PingEvent, AnthropicMessageEvents.PingData);

        public Task ErrorAsync() => call.WriteEventAsync(AnthropicMessageEvents.ErrorEvent, MockErrors.MidStream(MockProvider.Anthropic));
    }
}

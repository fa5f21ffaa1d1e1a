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
        var events = new AnthropicMessageEvents(reply.Model);
        if (!reply.Stream)
        {
            await BlockingAsync(call, reply, events);
            return;
        }

        call.StartStream(RequestIdHeader, MockErrors.NewAnthropicRequestId());
        await call.WriteEventAsync(AnthropicMessageEvents.MessageStartEvent, events.MessageStart(reply.Usage));
        var index = 0;
        if (reply.Scenario is MockScenario.Thinking)
        {
            await StartBlockAsync(call, index, AnthropicMessageEvents.ThinkingBlock("", ""));
            foreach (var piece in MockText.SplitWords(AnthropicMessageEvents.ThinkingText, reply.Controls.ChunkWords))
                await DeltaAsync(call, index, ThinkingDelta, K.Thinking, piece);
            await DeltaAsync(call, index, SignatureDelta, K.Signature, AnthropicMessageEvents.Signature);
            await StopBlockAsync(call, index++);
        }
        if (reply.HasText)
        {
            await StartBlockAsync(call, index, AnthropicMessageEvents.TextBlock(""));
            var pieces = reply.TextPieces;
            for (var i = 0; i < pieces.Count; i++)
            {
                await DeltaAsync(call, index, TextDelta, K.Text, pieces[i]);
                if (i == 0 && await InterruptedAsync(call, reply))
                    return;
            }
            if (pieces.Count == 0 && await InterruptedAsync(call, reply))
                return;
            await StopBlockAsync(call, index++);
        }
        foreach (var tool in reply.CallsTool ? reply.ToolCalls : [])
        {
            await StartBlockAsync(call, index, AnthropicMessageEvents.ToolUseBlock(tool.Name, new JsonObject()));
            await DeltaAsync(call, index, InputJsonDelta, K.PartialJson, "");
            foreach (var piece in MockText.SplitPieces(tool.Arguments))
                await DeltaAsync(call, index, InputJsonDelta, K.PartialJson, piece);
            await StopBlockAsync(call, index++);
        }
        var stopReason = reply.CallsTool ? K.ToolUse : EndTurn;
        await call.WriteEventAsync(AnthropicMessageEvents.MessageDeltaEvent, AnthropicMessageEvents.MessageDelta(stopReason, reply.Usage));
        await call.WriteEventAsync(AnthropicMessageEvents.MessageStopEvent, AnthropicMessageEvents.MessageStop());
    }

    /// <summary>A <c>content_block_start</c>; the first one is followed by a <c>ping</c>, as the real API does.</summary>
    private static async Task StartBlockAsync(MockCall call, int index, JsonObject block)
    {
        await call.WriteEventAsync(AnthropicMessageEvents.ContentBlockStartEvent, AnthropicMessageEvents.BlockStart(index, block));
        if (index == 0)
            await call.WriteEventAsync(AnthropicMessageEvents.PingEvent, AnthropicMessageEvents.PingData);
    }

    private static Task DeltaAsync(MockCall call, int index, string deltaType, string field, string value) =>
        call.WriteEventAsync(AnthropicMessageEvents.ContentBlockDeltaEvent, AnthropicMessageEvents.Delta(index, deltaType, field, value));

    private static Task StopBlockAsync(MockCall call, int index) =>
        call.WriteEventAsync(AnthropicMessageEvents.ContentBlockStopEvent, AnthropicMessageEvents.BlockStop(index));

    /// <summary>For <c>error_mid</c>, <c>hang</c>, <c>cut</c> and <c>drop</c>, after the first text: true when the stream must end here.</summary>
    private static Task<bool> InterruptedAsync(MockCall call, MockReply reply) =>
        call.InterruptedAsync(reply.Scenario,
            () => call.WriteEventAsync(AnthropicMessageEvents.ErrorEvent, MockErrors.MidStream(MockProvider.Anthropic)));

    private static async Task BlockingAsync(MockCall call, MockReply reply, AnthropicMessageEvents events)
    {
        if (await call.HungBlockingAsync(reply.Scenario))
            return;
        var content = new JsonArray();
        if (reply.Scenario is MockScenario.Thinking)
            content.Add(AnthropicMessageEvents.ThinkingBlock(AnthropicMessageEvents.ThinkingText, AnthropicMessageEvents.Signature));
        if (reply.HasText)
            content.Add(AnthropicMessageEvents.TextBlock(reply.Text));
        foreach (var tool in reply.CallsTool ? reply.ToolCalls : [])
            content.Add(AnthropicMessageEvents.ToolUseBlock(tool.Name, JsonNode.Parse(tool.Arguments)!));
        var message = events.Message(content, reply.CallsTool ? K.ToolUse : EndTurn, reply.Usage);
        await call.WriteReplyAsync(reply.Scenario, message, RequestIdHeader, MockErrors.NewAnthropicRequestId());
    }
}

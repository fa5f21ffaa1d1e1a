namespace Bridgekeeper.MockUpstream;

/// <summary>Answers <c>POST /openai/v1/chat/completions</c> once the request passed auth and parsing.</summary>
internal static class OpenAIChatResponder
{
    public const string RequestIdHeader = "x-request-id";
    private const string Done = "[DONE]";

    public static async Task RespondAsync(MockCall call, MockReply reply, long created)
    {
        var chunks = new OpenAIChatChunks(reply.Model, reply.IncludeUsage, created, reply.CallsTool ? reply.ToolCalls.Count : 0) { ServiceTier = reply.ServiceTier };
        if (!reply.Stream)
        {
            await BlockingAsync(call, reply, chunks);
            return;
        }

        call.StartStream(RequestIdHeader, MockErrors.NewOpenAIRequestId());
        var rolePending = true;
        if (reply.HasText)
        {
            await call.WriteEventAsync(null, chunks.Chunk(OpenAIChatChunks.RoleDelta(forToolCall: false)));
            rolePending = false;
            var pieces = reply.TextPieces;
            for (var i = 0; i < pieces.Count; i++)
            {
                await call.WriteEventAsync(null, chunks.Chunk(OpenAIChatChunks.ContentDelta(pieces[i])));
                if (i == 0 && await InterruptedAsync(call, reply))
                    return;
            }
            if (pieces.Count == 0 && await InterruptedAsync(call, reply))
                return;
        }
        if (reply.CallsTool)
        {
            for (var index = 0; index < reply.ToolCalls.Count; index++)
            {
                var (tool, id) = (reply.ToolCalls[index], chunks.ToolCallIds[index]);
                var roleDelta = rolePending ? OpenAIChatChunks.RoleDelta(forToolCall: true) : null;
                rolePending = false;
                await call.WriteEventAsync(null, chunks.Chunk(OpenAIChatChunks.ToolStartDelta(index, id, tool.Name, roleDelta)));
                foreach (var piece in MockText.SplitPieces(tool.Arguments))
                    await call.WriteEventAsync(null, chunks.Chunk(OpenAIChatChunks.ToolArgumentsDelta(index, piece)));
            }
        }
        await call.WriteEventAsync(null, chunks.Chunk([], reply.CallsTool ? MockWireKeys.ToolCalls : "stop"));
        if (reply.IncludeUsage)
            await call.WriteEventAsync(null, chunks.UsageChunk(reply.Usage));
        await call.WriteEventAsync(null, Done);
    }

    /// <summary>For <c>error_mid</c>, <c>hang</c>, <c>cut</c> and <c>drop</c>, after the first text: true when the stream must end here.</summary>
    private static Task<bool> InterruptedAsync(MockCall call, MockReply reply) =>
        call.InterruptedAsync(reply.Scenario, () => call.WriteEventAsync(null, MockErrors.MidStream(MockProvider.OpenAI)));

    private static async Task BlockingAsync(MockCall call, MockReply reply, OpenAIChatChunks chunks)
    {
        if (await call.HungBlockingAsync(reply.Scenario))
            return;
        var completion = reply.CallsTool
            ? chunks.Completion(reply.Controls.TextGiven ? reply.Text : null, reply.ToolCalls, reply.Usage)
            : chunks.Completion(reply.Text, null, reply.Usage);
        await call.WriteReplyAsync(reply.Scenario, completion, RequestIdHeader, MockErrors.NewOpenAIRequestId());
    }
}

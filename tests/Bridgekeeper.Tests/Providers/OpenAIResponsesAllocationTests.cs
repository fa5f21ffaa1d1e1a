using System.Text;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.OpenAIResponses;
using Bridgekeeper.Streaming;

namespace Bridgekeeper.Tests.Providers;

/// <summary>Text and reasoning deltas are nearly every event of a Responses stream: observing them must not allocate.</summary>
public sealed class OpenAIResponsesAllocationTests
{
    private static readonly RequestFacts Facts = new("m", true, null, null, true);

    [Theory]
    [InlineData("response.output_text.delta", """{"type":"response.output_text.delta","sequence_number":14,"item_id":"msg_1","output_index":1,"content_index":0,"delta":"Hello \"world\"","logprobs":[],"obfuscation":"Qm"}""")]
    [InlineData(null, """{"type":"response.output_text.delta","sequence_number":14,"item_id":"msg_1","output_index":1,"content_index":0,"delta":"Hello \"world\"","logprobs":[],"obfuscation":"Qm"}""")]
    [InlineData("response.reasoning_summary_text.delta", """{"type":"response.reasoning_summary_text.delta","sequence_number":4,"item_id":"rs_1","output_index":0,"summary_index":0,"delta":"**Thinking**","obfuscation":"x"}""")]
    public void OnEvent_TextDelta_AllocatesNothing(string? eventType, string data)
    {
        var observer = new OpenAIResponsesDialect().Observe(Facts);
        observer.OnEvent(Event("response.output_item.added", """{"type":"response.output_item.added","sequence_number":2,"output_index":1,"item":{"id":"msg_1","type":"message","status":"in_progress","content":[],"role":"assistant"}}"""));
        var delta = Event(eventType, data);
        observer.OnEvent(delta);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
            observer.OnEvent(delta);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static SseEvent Event(string? type, string data)
    {
        var bytes = Encoding.UTF8.GetBytes(data);
        return new SseEvent(bytes, type, bytes);
    }
}

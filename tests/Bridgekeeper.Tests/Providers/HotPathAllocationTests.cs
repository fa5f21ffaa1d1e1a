using System.Text;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.AnthropicMessages;
using Bridgekeeper.Providers.OpenAIChat;
using Bridgekeeper.Streaming;

namespace Bridgekeeper.Tests.Providers;

/// <summary>Text deltas are nearly every event of a stream: observing them must not allocate.</summary>
public sealed class HotPathAllocationTests
{
    private static readonly RequestFacts Facts = new("m", true, null, null, false);

    [Fact]
    public void OpenAIChatObserver_TextChunkAfterFirst_AllocatesNothing()
    {
        var observer = new OpenAIChatDialect().Observe(Facts);
        var chunk = Event(null, """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"Hello \"world\""},"logprobs":null,"finish_reason":null}],"usage":null}""");
        observer.OnEvent(chunk);

        Assert.Equal(0, AllocatedBy(() => observer.OnEvent(chunk)));
    }

    [Fact]
    public void AnthropicMessagesObserver_TextDelta_AllocatesNothing()
    {
        var observer = new AnthropicMessagesDialect().Observe(Facts);
        observer.OnEvent(Event("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""));
        var delta = Event("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello \"world\""}}""");
        observer.OnEvent(delta);

        Assert.Equal(0, AllocatedBy(() => observer.OnEvent(delta)));
    }

    /// <summary>
    /// A 150 KB Claude Code request is read forward only, with no DOM: parsing, reading the facts and preparing it
    /// allocate a few KB (the DOM path allocated about 44 KB per request), whatever the body's size.
    /// </summary>
    [Fact]
    public void ParseReadAndPrepare_ClaudeCodeSizedBody_AllocatesNoDom()
    {
        var body = Testing.ClaudeCodeRequest.Body();
        var dialect = new AnthropicMessagesDialect();
        RequestFacts? facts = null;
        void Run()
        {
            var request = Bridgekeeper.Interception.RequestJson.Parse(body, out _)!;
            facts = dialect.Read(request);
            _ = JsonBody.ForUpstream(request, dialect.PrepareUpstream(request, facts));
        }
        Run();

        Assert.InRange(AllocatedBy(Run) / 100, 0, 8 * 1024);
        Assert.Equal(Testing.ClaudeCodeRequest.SessionId, facts!.SessionId);
        Assert.Equal(Testing.ClaudeCodeRequest.LastPrompt, facts.Prompt?.Text);
    }

    private static SseEvent Event(string? type, string data)
    {
        var bytes = Encoding.UTF8.GetBytes(data);
        return new SseEvent(bytes, type, bytes);
    }

    private static long AllocatedBy(Action action)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
            action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}

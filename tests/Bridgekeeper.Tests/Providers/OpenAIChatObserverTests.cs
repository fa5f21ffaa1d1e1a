using System.Text;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.OpenAIChat;
using static Bridgekeeper.Tests.Providers.ObserverHarness;

namespace Bridgekeeper.Tests.Providers;

public sealed class OpenAIChatObserverTests
{
    private static readonly OpenAIChatDialect Dialect = new();

    private static RequestFacts Facts(bool clientWantsUsage) => new("gpt-4.1", true, "hi", null, clientWantsUsage);

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public async Task OnEvent_TextStream_SummarizesUsageWithCachedAndReasoning(bool clientWantsUsage, bool oneBytePerRead)
    {
        var observer = Dialect.Observe(Facts(clientWantsUsage));

        var (summary, _) = await RunAsync(observer, OpenAIChatFixtures.TextWithUsage, oneBytePerRead);

        AssertSummary(new("chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG", new TokenUsage(254, 412, 1280, 0, 256), [], [], null), summary);
        Assert.True(((OpenAIChatObserver)observer).DoneSeen);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OnEvent_UsageOnlyChunk_ForwardedOnlyWhenClientAsked(bool clientWantsUsage)
    {
        var (_, forwarded) = await RunAsync(Dialect.Observe(Facts(clientWantsUsage)), OpenAIChatFixtures.TextWithUsage);

        var expected = clientWantsUsage
            ? OpenAIChatFixtures.TextWithUsage
            : OpenAIChatFixtures.TextWithUsage.Replace(OpenAIChatFixtures.UsageChunk, "", StringComparison.Ordinal);
        Assert.Equal(expected, forwarded);
        Assert.Equal(clientWantsUsage, forwarded.Contains("\"usage\":{", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnEvent_ParallelToolCallsInPieces_AssemblesWholeCalls()
    {
        var (summary, forwarded) = await RunAsync(Dialect.Observe(Facts(true)), OpenAIChatFixtures.ParallelToolCalls);

        AssertSummary(new(
            "chatcmpl-BTool",
            new TokenUsage(900, 60, 0, 0, 0),
            [
                new("call_read_1", "read_file", """{"path": "src/main.cs"}"""),
                new("call_grep_2", "grep", """{"pattern": "\\bTODO\\b"}"""),
            ],
            [],
            null), summary);
        Assert.Equal(OpenAIChatFixtures.ParallelToolCalls, forwarded);
    }

    [Fact]
    public async Task OnEvent_CrLfStream_SameSummaryAndBytes()
    {
        var crlf = OpenAIChatFixtures.ParallelToolCalls.ReplaceLineEndings("\r\n");

        var (summary, forwarded) = await RunAsync(Dialect.Observe(Facts(true)), crlf, oneBytePerRead: true);

        Assert.Equal(2, summary.ToolCalls.Count);
        Assert.Equal("""{"path": "src/main.cs"}""", summary.ToolCalls[0].Arguments);
        Assert.Equal(crlf, forwarded);
    }

    [Fact]
    public async Task OnEvent_ErrorChunk_RecordsErrorAndForwards()
    {
        var (summary, forwarded) = await RunAsync(Dialect.Observe(Facts(false)), OpenAIChatFixtures.MidStreamError);

        AssertSummary(new("chatcmpl-BErr", null, [], [], "server_error: The server had an error while processing your request."), summary);
        Assert.Equal(OpenAIChatFixtures.MidStreamError, forwarded);
    }

    [Fact]
    public async Task Complete_PartialStream_ReturnsWhatWasSeen()
    {
        var cut = OpenAIChatFixtures.ParallelToolCalls[..OpenAIChatFixtures.ParallelToolCalls.IndexOf("\"index\":1,\"id\"", StringComparison.Ordinal)];

        var (summary, _) = await RunAsync(Dialect.Observe(Facts(false)), cut);

        AssertSummary(new("chatcmpl-BTool", null, [new("call_read_1", "read_file", """{"path": "src/""")], [], null), summary);
    }

    [Theory]
    [InlineData("data: not json\n\n")]
    [InlineData("data: {\"id\":\n\n")]
    [InlineData("data: []\n\n")]
    [InlineData("data: {\"id\":5,\"choices\":{},\"usage\":7,\"error\":\"x\"}\n\n")]
    [InlineData("data: {\"choices\":[{\"delta\":{\"tool_calls\":null}},3,{\"delta\":{\"tool_calls\":[7,{\"function\":{\"arguments\":{}}}]}}]}\n\n")]
    public async Task OnEvent_OddChunks_ForwardedWithoutThrowing(string stream)
    {
        var (summary, forwarded) = await RunAsync(Dialect.Observe(Facts(false)), stream);

        Assert.Equal(stream, forwarded);
        Assert.Null(summary.Usage);
    }

    [Fact]
    public void OnBody_ToolCallResponse_ReadsCallsAndUsage()
    {
        var observer = Dialect.Observe(Facts(false) with { Stream = false });

        observer.OnBody(Encoding.UTF8.GetBytes(OpenAIChatFixtures.ToolCallBody));

        AssertSummary(new(
            "chatcmpl-BBody",
            new TokenUsage(18, 17, 64, 0, 5),
            [new("call_a", "read_file", """{"path":"a.txt"}"""), new("call_b", "list_dir", "{}")],
            [],
            null), observer.Complete());
    }

    [Theory]
    [InlineData("\"flex\"", "flex")]
    [InlineData("\"priority\"", "priority")]
    [InlineData("\"default\"", null)]
    [InlineData("\"auto\"", null)]
    [InlineData("\"batch-of-something-else\"", null)]
    [InlineData("null", null)]
    [InlineData("{\"tier\":\"flex\"}", null)]
    public void OnBody_ServiceTier_OnlyANonStandardTierIsKept(string tier, string? kept)
    {
        var observer = Dialect.Observe(Facts(false) with { Stream = false });

        observer.OnBody(Encoding.UTF8.GetBytes($$$"""{"id":"chatcmpl-T","object":"chat.completion","service_tier":{{{tier}}},"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}"""));

        Assert.Equal(new TokenUsage(3, 1, 0, 0, 0) { ServiceTier = kept }, observer.Complete().Usage);
    }

    [Fact]
    public void OnBody_ErrorBody_RecordsError()
    {
        var observer = Dialect.Observe(Facts(false));

        observer.OnBody("""{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}"""u8);

        AssertSummary(new(null, null, [], [], "requests: Rate limit reached"), observer.Complete());
    }
}

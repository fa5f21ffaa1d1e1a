using System.Text;
using System.Text.Json.Nodes;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.AnthropicMessages;
using Bridgekeeper.Providers.OpenAIChat;
using Bridgekeeper.Providers.OpenAIResponses;
using Bridgekeeper.Streaming;
using Bridgekeeper.Tests.Streaming;
using CsCheck;

namespace Bridgekeeper.Tests.Hostile;

/// <summary>
/// Hostile upstream answers (mutated fixtures, see <see cref="HostileUpstream"/>) through each dialect's observer and each
/// tool-loop turn, as <c>Interception/ToolLoop</c> drives them. Upstream bytes are never ours to judge
/// (the accumulators document that malformed JSON is ignored and the event relayed regardless), so: nothing throws;
/// <c>Complete()</c> always sums up; token figures are counts, never negative; and a loop turn's output (replacement
/// frames, closing frames, the merged body, the next request) is always made.
/// </summary>
public sealed class ObserverPropertyTests
{
    private const long Iterations = 1_500;

    public static TheoryData<string> Dialects => ["openai-chat", "openai-responses", "anthropic-messages"];

    [Theory]
    [MemberData(nameof(Dialects))]
    public Task Observe_HostileStream_NeverThrowsAndSummarizes(string dialect) =>
        Property.CheckAsync(StreamCases(dialect), async c => AssertSummary(await ObserveAsync(dialect, c)), Iterations, ShowCase);

    [Theory]
    [MemberData(nameof(Dialects))]
    public Task Observe_HostileStream_TokenFiguresNeverNegative(string dialect) =>
        Property.CheckAsync(StreamCases(dialect), async c => AssertUsage((await ObserveAsync(dialect, c)).Usage), Iterations / 2, ShowCase);

    [Theory]
    [MemberData(nameof(Dialects))]
    public void Observe_HostileBody_NeverThrowsAndSummarizes(string dialect) =>
        Property.Check(HostileUpstream.Body(dialect), body => AssertSummary(ObserveBody(dialect, body)), Iterations, HostileJson.Show);

    [Theory]
    [MemberData(nameof(Dialects))]
    public void Observe_HostileBody_TokenFiguresNeverNegative(string dialect) =>
        Property.Check(HostileUpstream.Body(dialect), body => AssertUsage(ObserveBody(dialect, body).Usage), Iterations / 2, HostileJson.Show);

    private static Gen<(List<HostileUpstream.Event>, int[], bool)> StreamCases(string dialect) =>
        Gen.Select(HostileUpstream.Stream(dialect), HostileSse.Splits, Gen.Bool);

    /// <summary>The stream through the dialect's observer as the loop reads it; only the forced usage chunk may be kept back.</summary>
    private static async Task<ExchangeSummary> ObserveAsync(string dialect, (List<HostileUpstream.Event> Events, int[] Splits, bool ClientWantsUsage) c)
    {
        var observer = Dialect(dialect).Observe(Facts(c.ClientWantsUsage));
        await foreach (var item in Read(HostileUpstream.Render(c.Events), c.Splits))
        {
            var relay = observer.OnEvent(item);
            Assert.True(relay == Relay.Forward || (dialect == "openai-chat" && relay == Relay.Suppress && !c.ClientWantsUsage), $"{relay}");
        }
        return observer.Complete();
    }

    private static ExchangeSummary ObserveBody(string dialect, byte[] body)
    {
        var observer = Dialect(dialect).Observe(Facts(clientWantsUsage: true));
        observer.OnBody(body);
        return observer.Complete();
    }

    private static string ShowCase((List<HostileUpstream.Event> Events, int[] Splits, bool ClientWantsUsage) c) =>
        $"{Show(c.Events)}\nin reads of [{string.Join(',', c.Splits)}], client wants usage: {c.ClientWantsUsage}";

    /// <summary>Two turns of the hidden loop on hostile streams: the first as the first turn, the second as a later one.</summary>
    [Theory]
    [MemberData(nameof(Dialects))]
    public Task LoopTurns_HostileStreams_NeverThrowAndMakeTheirFrames(string dialect) => LoopStreamsAsync(dialect, checkUsage: false);

    /// <summary>Usage summed over turns (<see cref="LoopState.Sum"/>) stays a count, whatever each turn reported.</summary>
    [Theory]
    [MemberData(nameof(Dialects))]
    public Task LoopTurns_HostileStreams_SummedUsageNeverNegative(string dialect) => LoopStreamsAsync(dialect, checkUsage: true);

    private static Task LoopStreamsAsync(string dialect, bool checkUsage) =>
        Property.CheckAsync(Gen.Select(HostileUpstream.Stream(dialect), HostileUpstream.Stream(dialect), HostileSse.Splits, Gen.Bool), async c =>
        {
            var (first, second, splits, clientWantsUsage) = c;
            var loop = Dialect(dialect).ToolLoop!;
            var state = new LoopState(HostileUpstream.InjectedNames.ToHashSet());
            var request = Request(dialect);
            foreach (var events in new[] { first, second })
            {
                var turn = loop.BeginTurn(Facts(clientWantsUsage), state);
                await foreach (var item in Read(HostileUpstream.Render(events), splits))
                {
                    if (turn.OnEvent(item) is { Relay: Relay.Replace } replaced)
                        AssertFrame(replaced.Frame);
                }
                var summary = turn.Complete();
                AssertSummary(summary);
                Assert.All(turn.FinalFrames(), frame => Assert.False(frame.IsEmpty));
                state = NextTurn(request, turn);
                if (checkUsage)
                    AssertUsage(state.Total);
            }
        }, Iterations / 3, c => Show(c.Item1) + "\n---- then ----\n" + Show(c.Item2) + $"\nin reads of [{string.Join(',', c.Item3)}]");

    [Theory]
    [MemberData(nameof(Dialects))]
    public void LoopTurns_HostileBodies_NeverThrowAndMakeTheirBodies(string dialect) =>
        Property.Check(Gen.Select(HostileUpstream.Body(dialect), HostileUpstream.Body(dialect)), c =>
        {
            var loop = Dialect(dialect).ToolLoop!;
            var state = new LoopState(HostileUpstream.InjectedNames.ToHashSet());
            var request = Request(dialect);
            foreach (var body in new[] { c.Item1, c.Item2 })
            {
                var turn = loop.BeginTurn(Facts(clientWantsUsage: true), state);
                turn.OnBody(body);
                var summary = turn.Complete();
                AssertSummary(summary);
                Assert.False(turn.FinalBody(body).IsEmpty && body.Length > 0);
                state = NextTurn(request, turn);
            }
        }, Iterations / 3, c => HostileJson.Show(c.Item1) + "\n---- then ----\n" + HostileJson.Show(c.Item2));

    /// <summary>What the loop does between turns: the turn appends the calls and results and gives the next state; the next request is written.</summary>
    private static LoopState NextTurn(JsonObject request, ILoopTurn turn)
    {
        var next = turn.Continue(request, [.. turn.InjectedCalls.Select(call => new ToolOutcome(call, "result", IsError: false))]);
        Assert.False(JsonBody.Serialize(request).IsEmpty);
        return next;
    }

    private static void AssertSummary(ExchangeSummary summary)
    {
        Assert.NotNull(summary);
        Assert.All(summary.ToolCalls, call => Assert.True(call is { Id: not null, Name: not null, Arguments: not null }));
        Assert.All(summary.Thoughts, thought => Assert.True(thought is { Content: not null, Source: "thinking" or "reasoning_summary" or "commentary" }));
    }

    /// <summary>Token figures are counts: a negative one would bill negative cost and shrink a user's spend.</summary>
    private static void AssertUsage(TokenUsage? usage) =>
        Assert.True(usage is null or { Input: >= 0, Output: >= 0, CacheRead: >= 0, CacheWrite: >= 0, Reasoning: >= 0 }, $"negative token figure: {usage}");

    /// <summary>A rewritten event is one whole SSE frame: its own bytes end in a blank line.</summary>
    private static void AssertFrame(ReadOnlyMemory<byte> frame) =>
        Assert.True(frame.Span.EndsWith("\n\n"u8), Encoding.UTF8.GetString(frame.Span));

    private static async IAsyncEnumerable<SseEvent> Read(byte[] stream, int[] splits)
    {
        await foreach (var item in SseEventReader.ReadAsync(new ChunkedStream(stream, HostileSse.Cycle(splits)), TestContext.Current.CancellationToken))
            yield return item;
    }

    private static RequestFacts Facts(bool clientWantsUsage) => new("model", true, "hi", null, clientWantsUsage);

    private static JsonObject Request(string dialect) => JsonNode.Parse(dialect switch
    {
        "openai-chat" => RealisticRequests.OpenAIChat[2],
        "openai-responses" => RealisticRequests.OpenAIResponses[1],
        _ => RealisticRequests.AnthropicMessages[1],
    })!.AsObject();

    private static IApiDialect Dialect(string name) => name switch
    {
        "openai-chat" => new OpenAIChatDialect(),
        "openai-responses" => new OpenAIResponsesDialect(),
        _ => new AnthropicMessagesDialect(),
    };

    private static string Show(List<HostileUpstream.Event> events) => HostileJson.Show(HostileUpstream.Render(events));
}

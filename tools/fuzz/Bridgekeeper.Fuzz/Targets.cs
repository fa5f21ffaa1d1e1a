using System.Text.Json;
using System.Text.Json.Nodes;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.AnthropicMessages;
using Bridgekeeper.Providers.OpenAIChat;
using Bridgekeeper.Providers.OpenAIResponses;
using Bridgekeeper.Streaming;
using Bridgekeeper.Tests.Hostile;

namespace Bridgekeeper.Fuzz;

/// <summary>
/// The fuzz targets. Each takes raw bytes and does what the gateway does with such bytes; an exception that escapes
/// is a finding (afl records the input as a crash). The first byte of the <c>request</c>, <c>observer</c> and
/// <c>body</c> inputs picks the dialect (and for <c>sse</c>, the read sizes), so one corpus covers all three APIs.
/// Nothing here touches the product's (instrumented) types before a target runs: instrumented code may only run once
/// <c>Fuzzer.Run</c> has set up afl's shared memory, so the dialects and tools are made per input.
/// </summary>
internal static class Targets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["sse"] = Sse,
        ["request"] = Request,
        ["observer"] = Observer,
        ["body"] = Body,
    };

    private static readonly string[] Injected = ["bmcp_weather_forecast", "bmcp_clock_now", "bmcp_everything_echo", "get_weather", "list_files"];

    private static IApiDialect DialectOf(byte first) => (first % 3) switch
    {
        0 => new OpenAIChatDialect(),
        1 => new OpenAIResponsesDialect(),
        _ => new AnthropicMessagesDialect(),
    };

    /// <summary>The SSE reader in reads of 1..16 bytes (from the first byte); its frames' bytes must be the input, exactly.</summary>
    private static void Sse(byte[] input)
    {
        if (input.Length == 0)
            return;
        var stream = input[1..];
        var frames = new List<byte>();
        foreach (var item in Read(stream, 1 + input[0] % 16))
            frames.AddRange(item.Raw.Span);
        if (!frames.SequenceEqual(stream))
            throw new InvalidOperationException("The frames' Raw bytes are not the input.");
    }

    /// <summary>The request path: parse as the endpoint does (<c>RequestJson.Parse</c>), then Read, injection, PrepareUpstream, the bytes sent.</summary>
    private static void Request(byte[] input)
    {
        if (input.Length == 0)
            return;
        var dialect = DialectOf(input[0]);
        if (Bridgekeeper.Interception.RequestJson.Parse(input[1..], out _) is not { } request)
            return;                                  // the documented refusal (400)
        var facts = dialect.Read(request);
        if (facts.Problem is not null)
            return;
        if ((input[0] & 8) != 0)
            dialect.ToolLoop?.InjectTools(request.Object, [new ToolDefinition("bmcp_fuzz_echo", "Echo", new JsonObject { ["type"] = "object" })]);
        JsonBody.ForUpstream(request, dialect.PrepareUpstream(request, facts));
    }

    /// <summary>An upstream stream through the dialect's observer and through a loop turn, then the next request built from it.</summary>
    private static void Observer(byte[] input)
    {
        if (input.Length == 0)
            return;
        var dialect = DialectOf(input[0]);
        var facts = new RequestFacts("model", true, "hi", null, ClientWantsUsage: (input[0] & 8) != 0);
        var observer = dialect.Observe(facts);
        var loop = new LoopState(Injected.ToHashSet());
        var turn = dialect.ToolLoop!.BeginTurn(facts, loop);
        foreach (var item in Read(input[1..], 4096))
        {
            observer.OnEvent(item);
            turn.OnEvent(item);
        }
        observer.Complete();
        Finish(dialect, loop, turn);
        turn.FinalFrames();
    }

    /// <summary>A whole upstream body through the dialect's observer and a loop turn, then the merged body and the next request.</summary>
    private static void Body(byte[] input)
    {
        if (input.Length == 0)
            return;
        var dialect = DialectOf(input[0]);
        var body = input[1..];
        var observer = dialect.Observe(new RequestFacts("model", false, "hi", null, true));
        observer.OnBody(body);
        observer.Complete();
        var loop = new LoopState(Injected.ToHashSet());
        var turn = dialect.ToolLoop!.BeginTurn(new RequestFacts("model", false, "hi", null, true), loop);
        turn.OnBody(body);
        Finish(dialect, loop, turn);
        turn.FinalBody(body);
    }

    /// <summary>What the tool loop does after a turn that asked for tools: append the calls and results, write the next request.</summary>
    private static void Finish(IApiDialect dialect, LoopState loop, ILoopTurn turn)
    {
        turn.Complete();
        var request = JsonNode.Parse(dialect switch
        {
            OpenAIChatDialect => RealisticRequests.OpenAIChat[2],
            OpenAIResponsesDialect => RealisticRequests.OpenAIResponses[1],
            _ => RealisticRequests.AnthropicMessages[1],
        })!.AsObject();
        turn.Continue(request, [.. turn.InjectedCalls.Select(call => new ToolOutcome(call, "result", IsError: false))]);
        JsonBody.Serialize(request);
    }

    /// <summary>
    /// The reader's frames, copied (its memory is reused). A harness may block: the stream is in memory, so every read
    /// completes at once.
    /// </summary>
    private static List<SseEvent> Read(byte[] stream, int readSize)
    {
        var frames = new List<SseEvent>();
        var enumerator = SseEventReader.ReadAsync(new SlowStream(stream, readSize), CancellationToken.None).GetAsyncEnumerator();
        while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
        {
            var item = enumerator.Current;
            frames.Add(new SseEvent(item.Raw.ToArray(), item.EventType, item.Data.ToArray()));
        }
        enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return frames;
    }

    /// <summary>A memory stream that returns at most <c>readSize</c> bytes a read, so frames split across reads.</summary>
    private sealed class SlowStream(byte[] content, int readSize) : MemoryStream(content, writable: false)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, readSize)]);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, readSize));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer, offset, count));
    }
}

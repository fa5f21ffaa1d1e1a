using System.Reflection;
using System.Text;
using Bridgekeeper.Tests.Providers;
using CsCheck;

namespace Bridgekeeper.Tests.Hostile;

/// <summary>
/// Hostile upstream answers, made from the recorded fixtures (<c>tests/…/Providers/*Fixtures.cs</c>): their events
/// dropped, repeated, reordered, renamed, truncated, or with their JSON mutated (fields of another kind, lone surrogates,
/// huge and negative numbers); and whole bodies likewise.
/// </summary>
internal static class HostileUpstream
{
    /// <summary>Tool names the loop properties treat as injected: the fixtures' own injected and client tools.</summary>
    public static readonly string[] InjectedNames =
        ["bmcp_weather_forecast", "bmcp_clock_now", "bmcp_everything_echo", "bmcp_everything_get-sum", "get_weather", "list_files"];

    private static readonly string[] EventNames =
    [
        "message_start", "message_delta", "message_stop", "content_block_start", "content_block_delta", "content_block_stop",
        "ping", "error", "response.created", "response.in_progress", "response.completed", "response.incomplete", "response.failed",
        "response.output_item.added", "response.output_item.done", "response.function_call_arguments.delta", "response.output_text.delta",
    ];

    /// <summary>Numbers that token counts and indices must survive.</summary>
    private static readonly string[] HostileNumbers = ["-1", "-5", "-9223372036854775808", "9223372036854775807", "1e400", "-0", "1.5", "4611686018427387904"];

    /// <summary>One event as the upstream may send it: an optional <c>event:</c> name and the data.</summary>
    internal sealed record Event(string? Name, byte[] Data)
    {
        public void Write(List<byte> buffer)
        {
            if (Name is not null)
                buffer.AddRange(Encoding.UTF8.GetBytes($"event: {Name}\n"));
            foreach (var line in Split(Data))
            {
                buffer.AddRange("data: "u8.ToArray());
                buffer.AddRange(line);
                buffer.Add((byte)'\n');
            }
            buffer.Add((byte)'\n');
        }

        private static IEnumerable<byte[]> Split(byte[] data)
        {
            var start = 0;
            for (var i = 0; i < data.Length; i++)
            {
                if (data[i] is not ((byte)'\n' or (byte)'\r'))
                    continue;
                yield return data[start..i];
                start = i + 1;
            }
            yield return data[start..];
        }
    }

    public static IReadOnlyList<Event[]> Streams(string dialect) => [.. Fixtures(dialect).Where(IsStream).Select(Events)];

    public static IReadOnlyList<string> Bodies(string dialect) => [.. Fixtures(dialect).Where(text => text.TrimStart().StartsWith('{'))];

    private static bool IsStream(string text) => text.Contains("data:", StringComparison.Ordinal) && !text.TrimStart().StartsWith('{');

    private static Event[] Events(string stream) =>
        [.. SseReaderPropertyTests.Reference(Encoding.UTF8.GetBytes(stream))
            .Where(frame => frame.Data.Length > 0 || frame.EventType is not null)
            .Select(frame => new Event(frame.EventType, Encoding.UTF8.GetBytes(frame.Data)))];

    private static IEnumerable<string> Fixtures(string dialect)
    {
        Type[] types = dialect switch
        {
            "openai-chat" => [typeof(OpenAIChatFixtures), typeof(OpenAIChatLoopFixtures)],
            "openai-responses" => [typeof(OpenAIResponsesFixtures), typeof(OpenAIResponsesLoopFixtures)],
            _ => [typeof(AnthropicMessagesFixtures)],
        };
        return types.SelectMany(type => type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(field => field.IsLiteral && field.FieldType == typeof(string))
            .Select(field => (string)field.GetRawConstantValue()!)
            .Where(text => text.Length > 40);
    }

    /// <summary>One edit of an event list (positions are taken modulo the list's length).</summary>
    internal sealed record Edit(int Kind, int At, int Other, HostileJson.Mutation Mutation, string Number, string Name, int Cut)
    {
        public const int Kinds = 9;

        public List<Event> Apply(List<Event> events)
        {
            if (events.Count == 0)
                return [new Event(Name, Encoding.UTF8.GetBytes(Number))];
            var i = At % events.Count;
            var e = events[i];
            var result = new List<Event>(events);
            switch (Kind)
            {
                case 0:
                    result.RemoveAt(i);
                    break;
                case 1:
                    result.Insert(i, e);
                    break;
                case 2:
                    (result[i], result[Other % events.Count]) = (result[Other % events.Count], result[i]);
                    break;
                case 3:
                    result[i] = e with { Name = Other % 3 == 0 ? null : Name };
                    break;
                case 4:
                    result[i] = e with { Data = e.Data[..(Cut % (e.Data.Length + 1))] };
                    break;
                case 5:
                    result.RemoveRange(i, events.Count - i);        // the stream cut here
                    break;
                case 6:
                    result[i] = e with { Data = Numbers(e.Data, Number) };
                    break;
                default:
                    result[i] = e with { Data = Mutate(e.Data, Mutation) };
                    break;
            }
            return result;
        }
    }

    public static readonly Gen<Edit> Edits = Gen.Select(
        Gen.Int[0, Edit.Kinds - 1], Gen.Int[0, 1000], Gen.Int[0, 1000], HostileJson.Mutations(hostile: true),
        Gen.OneOf(HostileNumbers), Gen.OneOf(EventNames), Gen.Int[0, 10_000],
        (kind, at, other, mutation, number, name, cut) => new Edit(kind, at, other, mutation, number, name, cut));

    public static Gen<List<Event>> Stream(string dialect)
    {
        var streams = Streams(dialect);
        return Gen.Select(Gen.Int[0, streams.Count - 1], Edits.Array[0, 6], (which, edits) =>
        {
            var events = streams[which].ToList();
            foreach (var edit in edits)
                events = edit.Apply(events);
            return events;
        });
    }

    public static byte[] Render(IEnumerable<Event> events)
    {
        var buffer = new List<byte>();
        foreach (var e in events)
            e.Write(buffer);
        return [.. buffer];
    }

    public static Gen<byte[]> Body(string dialect)
    {
        var bodies = Bodies(dialect).Select(Encoding.UTF8.GetBytes).ToArray();
        return Gen.Frequency(
            (1, Gen.Byte.Array[0, 64]),
            (1, HostileJson.Tree(hostile: true).Select(tree => tree.ToBytes())),
            (6, Gen.Select(Gen.Int[0, bodies.Length - 1], Gen.Select(HostileJson.Mutations(hostile: true), Gen.OneOf(HostileNumbers), Gen.Int[0, 3]).Array[0, 4],
                Gen.Frequency((5, Gen.Const(-1)), (1, Gen.Int[0, 10_000])),
                (which, edits, cut) =>
                {
                    var body = bodies[which];
                    foreach (var (mutation, number, kind) in edits)
                        body = kind == 0 ? Numbers(body, number) : Mutate(body, mutation);
                    return cut >= 0 ? body[..(cut % (body.Length + 1))] : body;
                })));
    }

    /// <summary>The data with a mutation applied to its JSON (data that is not JSON is left as it is).</summary>
    private static byte[] Mutate(byte[] data, HostileJson.Mutation mutation) =>
        TryParse(data) is { } tree ? mutation.Apply(tree).ToBytes() : data;

    /// <summary>The data with every number in its JSON replaced by <paramref name="number"/> (token counts, indices, sequence numbers).</summary>
    private static byte[] Numbers(byte[] data, string number)
    {
        if (TryParse(data) is not { } tree)
            return data;
        foreach (var literal in tree.Nodes().OfType<JLiteral>().Where(l => l.Text is not ("true" or "false" or "null")).ToList())
            tree = tree.Replace(literal, _ => new JLiteral(number));
        return tree.ToBytes();
    }

    private static JTree? TryParse(byte[] data)
    {
        try
        {
            return JTree.Parse(Encoding.UTF8.GetString(data));
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

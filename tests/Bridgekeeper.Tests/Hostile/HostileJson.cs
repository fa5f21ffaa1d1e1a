using System.Text;
using System.Text.Json;
using CsCheck;

namespace Bridgekeeper.Tests.Hostile;

/// <summary>
/// A JSON document as bytes are written, so a test can make what no serializer would: duplicate keys, number text such
/// as <c>1e400</c> or <c>-0</c>, lone surrogate escapes (<c>"\ud800"</c>) and raw invalid UTF-8 inside strings.
/// </summary>
internal abstract record JTree
{
    public byte[] ToBytes()
    {
        var buffer = new List<byte>();
        Write(buffer);
        return [.. buffer];
    }

    public abstract void Write(List<byte> buffer);

    /// <summary>Every node, this one first (pre-order), for picking one to mutate.</summary>
    public IEnumerable<JTree> Nodes()
    {
        yield return this;
        var children = this switch
        {
            JObject o => o.Members.Select(m => m.Value),
            JArray a => a.Items,
            _ => [],
        };
        foreach (var child in children)
            foreach (var node in child.Nodes())
                yield return node;
    }

    /// <summary>This tree with <paramref name="target"/> (by reference) replaced by what <paramref name="replace"/> makes of it.</summary>
    public JTree Replace(JTree target, Func<JTree, JTree> replace) => ReferenceEquals(this, target) ? replace(this) : this switch
    {
        JObject o => new JObject([.. o.Members.Select(m => (m.Key, m.Value.Replace(target, replace)))]),
        JArray a => new JArray([.. a.Items.Select(i => i.Replace(target, replace))]),
        _ => this,
    };

    /// <summary>Reads JSON text into a tree, keeping each string's escaped bytes and each number's text as written.</summary>
    public static JTree Parse(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        return Read(ref reader);
    }

    private static JTree Read(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                List<(JString, JTree)> members = [];
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var key = new JString(reader.ValueSpan.ToArray());
                    reader.Read();
                    members.Add((key, Read(ref reader)));
                }
                return new JObject(members);
            case JsonTokenType.StartArray:
                List<JTree> items = [];
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    items.Add(Read(ref reader));
                return new JArray(items);
            case JsonTokenType.String:
                return new JString(reader.ValueSpan.ToArray());
            default:
                return new JLiteral(Encoding.UTF8.GetString(reader.ValueSpan));
        }
    }
}

internal sealed record JObject(IReadOnlyList<(JString Key, JTree Value)> Members) : JTree
{
    public override void Write(List<byte> buffer)
    {
        buffer.Add((byte)'{');
        for (var i = 0; i < Members.Count; i++)
        {
            if (i > 0)
                buffer.Add((byte)',');
            Members[i].Key.Write(buffer);
            buffer.Add((byte)':');
            Members[i].Value.Write(buffer);
        }
        buffer.Add((byte)'}');
    }
}

internal sealed record JArray(IReadOnlyList<JTree> Items) : JTree
{
    public override void Write(List<byte> buffer)
    {
        buffer.Add((byte)'[');
        for (var i = 0; i < Items.Count; i++)
        {
            if (i > 0)
                buffer.Add((byte)',');
            Items[i].Write(buffer);
        }
        buffer.Add((byte)']');
    }
}

/// <summary>A string; <see cref="Body"/> is the bytes between the quotes, escapes as written (they may be hostile).</summary>
internal sealed record JString(byte[] Body) : JTree
{
    public static JString Of(string text) => new(JsonEncodedText.Encode(text, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes.ToArray());

    public override void Write(List<byte> buffer)
    {
        buffer.Add((byte)'"');
        buffer.AddRange(Body);
        buffer.Add((byte)'"');
    }
}

/// <summary>A number, <c>true</c>, <c>false</c> or <c>null</c>, as its text.</summary>
internal sealed record JLiteral(string Text) : JTree
{
    public override void Write(List<byte> buffer) => buffer.AddRange(Encoding.ASCII.GetBytes(Text));
}

/// <summary>Generators of hostile JSON: random trees, and realistic requests of each API with mutations.</summary>
internal static class HostileJson
{
    /// <summary>The parser's depth limit (<c>InterceptionEndpoint</c>'s <c>MaxDepth</c>); nesting is generated around it.</summary>
    public const int ParserMaxDepth = 256;

    public static readonly string[] Keys =
    [
        "model", "stream", "messages", "input", "role", "content", "type", "text", "stream_options", "include_usage",
        "metadata", "user_id", "tools", "name", "previous_response_id", "prompt", "background", "system", "tool_calls",
        "function", "arguments", "id", "max_tokens", "store", "instructions", "session_id", "parameters", "input_schema",
    ];

    public static readonly string[] Roles = ["user", "assistant", "system", "developer", "tool", "User", ""];

    public static readonly string[] Numbers =
    [
        "0", "-0", "1", "-1", "1.5", "-0.0", "0.0", "1e400", "-1e400", "1E-400", "1e3", "2", "128", "4096",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890",
    ];

    /// <summary>Pieces of a string body that any JSON parser accepts and any reader can decode.</summary>
    private static readonly string[] CleanPieces =
    [
        "hi", "hello world", "gpt-4o", "claude-sonnet-4-5", "user", "text", "input_text", "message", "{", "}", "[", ":",
        "é", "日本語", "😀", "\\n", "\\r\\n", "\\\"", "\\\\", "\\/", "\\u0041", "\\u00e9", "\\ud83d\\ude00", "\\u0000",
        "\\t", " ", "_session_", "user_abc_account_1_session_", "\\u2028", "{\\\"session_id\\\":\\\"s-1\\\"}",
        // Escaped once more, so the string's *value* holds JSON text with a lone surrogate escape: metadata.user_id is
        // parsed a second time by the Anthropic dialect.
        "x",
    ];

    /// <summary>Pieces that make the string undecodable: lone or reversed surrogate escapes, invalid UTF-8 bytes.</summary>
    private static readonly byte[][] HostilePieces =
    [
        "\\ud800"u8.ToArray(), "\\udfff"u8.ToArray(), "\\ude00\\ud83d"u8.ToArray(), "\\uD800x"u8.ToArray(),
        [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0x80],
    ];

    public static Gen<JString> String(bool hostile)
    {
        var clean = Gen.OneOf(CleanPieces).Select(piece => Encoding.UTF8.GetBytes(piece));
        var piece = hostile
            ? Gen.Frequency((6, clean), (1, Gen.OneOf(HostilePieces)))
            : clean;
        return Gen.Frequency(
            (60, piece.Array[0, 4].Select(pieces => new JString([.. pieces.SelectMany(p => p)]))),
            (12, Gen.OneOf(Keys).Select(JString.Of)),
            (9, Gen.OneOf(Roles).Select(JString.Of)),
            (1, Gen.Int[16_000, 300_000].Select(length => new JString(Encoding.ASCII.GetBytes(new string('a', length))))));
    }

    public static Gen<JString> Key(bool hostile) => Gen.Frequency((6, Gen.OneOf(Keys).Select(JString.Of)), (1, String(hostile)));

    public static readonly Gen<JTree> Literal = Gen.Frequency(
        (4, Gen.OneOf(Numbers).Select(text => (JTree)new JLiteral(text))),
        (2, Gen.OneOf("true", "false", "null").Select(text => (JTree)new JLiteral(text))));

    public static Gen<JTree> Tree(bool hostile) => Gen.Recursive<JTree>((depth, self) =>
    {
        var leaf = Gen.Frequency((3, Literal), (3, String(hostile).Select(s => (JTree)s)));
        if (depth >= 4)
            return leaf;
        return Gen.Frequency(
            (4, leaf),
            (2, self.Array[0, 4].Select(items => (JTree)new JArray(items))),
            (3, Gen.Select(Key(hostile), self).Array[0, 5].Select(members => (JTree)new JObject(members))));
    });

    /// <summary>A value nested in <paramref name="depth"/> arrays and objects, around the parser's limit.</summary>
    public static JTree Nest(JTree value, int depth, bool objects)
    {
        var node = value;
        for (var i = 0; i < depth; i++)
            node = objects && i % 2 == 0 ? new JObject([(JString.Of("content"), node)]) : new JArray([node]);
        return node;
    }

    /// <summary>One edit of a tree: which node (by pre-order position, modulo), what to do, and a random value to use.</summary>
    internal sealed record Mutation(int Position, int Operation, JTree Value, int Depth)
    {
        public const int Operations = 7;

        public JTree Apply(JTree root)
        {
            var nodes = root.Nodes().ToList();
            var target = nodes[Position % nodes.Count];
            return root.Replace(target, node => Operation switch
            {
                0 => Value,                                            // a value of another kind (or the same kind)
                1 => new JLiteral("null"),
                2 => node is JObject o && o.Members.Count > 0          // drop a member
                    ? new JObject([.. o.Members.Where((_, i) => i != Depth % o.Members.Count)])
                    : Value,
                3 => node is JObject d && d.Members.Count > 0          // repeat a member: a duplicate key
                    ? new JObject([.. d.Members, d.Members[Depth % d.Members.Count]])
                    : new JArray([node, node]),
                4 => Nest(node, Depth, objects: Depth % 3 == 0),       // deep nesting, around the parser's limit
                5 => node is JObject w                                 // add a member of a random kind
                    ? new JObject([.. w.Members, (JString.Of(Keys[Depth % Keys.Length]), Value)])
                    : new JArray([Value, node]),
                _ => node is JArray a                                  // wrap the array's items as strings
                    ? new JArray([.. a.Items.Select(item => (JTree)JString.Of(System.Text.Encoding.UTF8.GetString(item.ToBytes())))])
                    : Value,
            });
        }
    }

    public static Gen<Mutation> Mutations(bool hostile) => Gen.Select(
        Gen.Int[0, 10_000], Gen.Int[0, Mutation.Operations - 1], Tree(hostile),
        Gen.Frequency((3, Gen.Int[0, 8]), (1, Gen.Int[ParserMaxDepth - 6, ParserMaxDepth + 4])),
        (position, operation, value, depth) => new Mutation(position, operation, value, depth));

    /// <summary>A realistic request with up to four mutations applied, and sometimes the bytes truncated.</summary>
    public static Gen<byte[]> MutatedRequest(IReadOnlyList<string> realistic, bool hostile) => Gen.Select(
        Gen.Int[0, realistic.Count - 1], Mutations(hostile).Array[0, 4], Gen.Frequency((6, Gen.Const(-1)), (1, Gen.Int[0, 100_000])),
        (which, mutations, truncate) =>
        {
            var tree = JTree.Parse(realistic[which]);
            foreach (var mutation in mutations)
                tree = mutation.Apply(tree);
            var bytes = tree.ToBytes();
            return truncate >= 0 ? bytes[..(truncate % (bytes.Length + 1))] : bytes;
        });

    /// <summary>Bodies for a request reader: random bytes, random JSON, realistic requests as they are and mutated.</summary>
    public static Gen<byte[]> Body(IReadOnlyList<string> realistic, bool hostile) => Gen.Frequency(
        (1, Gen.Byte.Array[0, 64]),
        (1, Gen.Char["{}[]\":,0123456789.eE+-tfnrul \\"].Array[0, 64].Select(chars => Encoding.ASCII.GetBytes(chars))),
        (3, Tree(hostile).Select(tree => tree.ToBytes())),
        (3, Gen.Select(Key(hostile), Tree(hostile)).Array[0, 6].Select(members => new JObject(members).ToBytes())),
        (1, Gen.OneOf([.. realistic]).Select(Encoding.UTF8.GetBytes)),
        (8, MutatedRequest(realistic, hostile)));

    /// <summary>
    /// Whether the bytes hold anything a strict UTF-8 JSON reader cannot decode: invalid UTF-8, or a <c>\u</c> escape of a
    /// lone or reversed surrogate (in a string or a property name).
    /// </summary>
    public static bool HasUndecodableText(ReadOnlySpan<byte> bytes)
    {
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
            return true;
        var text = Encoding.UTF8.GetString(bytes);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
                continue;
            if (i + 1 < text.Length && text[i + 1] == '\\')
            {
                i++;                                                   // an escaped backslash: what follows is text
                continue;
            }
            if (Surrogate(text, i) is not { } unit)
                continue;
            if (char.IsHighSurrogate(unit) && Surrogate(text, i + 6) is { } low && char.IsLowSurrogate(low))
            {
                i += 11;
                continue;
            }
            return true;
        }
        return false;
    }

    private static char? Surrogate(string text, int at) =>
        at + 6 <= text.Length && text[at] == '\\' && text[at + 1] == 'u'
        && ushort.TryParse(text.AsSpan(at + 2, 4), System.Globalization.NumberStyles.HexNumber, null, out var value)
        && char.IsSurrogate((char)value) ? (char)value : null;

    /// <summary>Input for a failure message: UTF-8 text with undecodable bytes as <c>\xNN</c>, long runs elided.</summary>
    public static string Show(byte[] bytes)
    {
        var text = new StringBuilder();
        for (var i = 0; i < bytes.Length;)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes.AsSpan(i), out var rune, out var consumed);
            if (status == System.Buffers.OperationStatus.Done)
                text.Append(rune.ToString());
            else
                text.Append($"\\x{bytes[i]:X2}");
            i += status == System.Buffers.OperationStatus.Done ? consumed : 1;
        }
        var shown = System.Text.RegularExpressions.Regex.Replace(text.ToString(), "(.)\\1{40,}", m => $"{m.Groups[1].Value}×{m.Length}");
        return shown.Length > 6000 ? shown[..6000] + $"… ({bytes.Length} bytes)" : shown;
    }
}

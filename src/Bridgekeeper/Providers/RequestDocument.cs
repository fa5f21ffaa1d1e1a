using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bridgekeeper.Providers;

/// <summary>
/// A request body read once, forward only, with <see cref="Utf8JsonReader"/>: the pass checks the whole body (JSON
/// syntax, a root object, depth, no duplicate property in any object) and keeps where the few values the dialects read
/// lie (the top-level members below, and the last conversation item that is not a system or developer message). The
/// dialects read their facts from those slices; a <see cref="JsonObject"/> is built only when the body must be edited
/// (<see cref="Object"/>). The body must not change while the document is in use.
/// </summary>
internal sealed class RequestDocument
{
    private JsonObject? _object;

    private RequestDocument(byte[] body) => Body = body;

    public byte[] Body { get; }

    public JsonSlice Model { get; private set; }
    public JsonSlice Stream { get; private set; }
    public JsonSlice Messages { get; private set; }
    public JsonSlice Input { get; private set; }
    public JsonSlice Metadata { get; private set; }
    public JsonSlice StreamOptions { get; private set; }
    public JsonSlice Background { get; private set; }
    public JsonSlice PreviousResponseId { get; private set; }
    public JsonSlice Prompt { get; private set; }

    /// <summary>The output allowance: <c>max_tokens</c> (Anthropic, older Chat), <c>max_completion_tokens</c> (Chat) or <c>max_output_tokens</c> (Responses).</summary>
    public JsonSlice MaxTokens { get; private set; }

    /// <summary>The last item of <c>messages</c> that is not a system or developer message, when it is the user's; else absent.</summary>
    public JsonSlice LastUserMessage { get; private set; }

    /// <summary>The same for <c>input</c> (OpenAI Responses).</summary>
    public JsonSlice LastUserInput { get; private set; }

    /// <summary>Whether <see cref="Object"/> was built (the body is being edited).</summary>
    public bool HasObject => _object is not null;

    /// <summary>The body as an object to edit, built on first use from the body's own bytes.</summary>
    public JsonObject Object => _object ??= JsonObject.Create(JsonDocument.Parse(Body, new JsonDocumentOptions { MaxDepth = MaxDepth }).RootElement)!;

    /// <summary>How deep the body may nest (the pass refuses deeper bodies).</summary>
    public const int MaxDepth = 256;

    private static readonly JsonReaderOptions Nested = new() { MaxDepth = MaxDepth };

    /// <summary>Reads <paramref name="body"/> (already checked to be text); null when its root is not an object. Throws <see cref="JsonException"/> on anything else that is not JSON.</summary>
    public static RequestDocument? Read(byte[] body)
    {
        var document = new RequestDocument(body);
        return document.Scan() ? document : null;
    }

    private enum Role { None, System, Developer, User, Other }

    private bool Scan()
    {
        var reader = new Utf8JsonReader(Body, Nested);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            return false;
        var names = new PropertyNames(Body);
        names.Enter();
        string? member = null;                       // the top-level member whose value is being read
        var (memberStart, memberToken) = (0, JsonTokenType.None);
        var conversation = false;                    // inside the array value of messages or input
        var (itemStart, itemToken, role, roleNext) = (0, JsonTokenType.None, Role.None, false);
        var last = default(JsonSlice);
        while (reader.Read())
        {
            var token = reader.TokenType;
            var depth = reader.CurrentDepth;
            if (token == JsonTokenType.PropertyName)
            {
                names.Add(ref reader);
                if (depth == 1)
                    member = Member(ref reader);
                else
                    roleNext = conversation && depth == 3 && reader.ValueTextEquals("role"u8);
                continue;
            }
            var opens = token is JsonTokenType.StartObject or JsonTokenType.StartArray;
            var closes = token is JsonTokenType.EndObject or JsonTokenType.EndArray;
            if (!closes)
            {
                if (depth == 1)
                {
                    (memberStart, memberToken) = ((int)reader.TokenStartIndex, token);
                    conversation = token == JsonTokenType.StartArray && member is "messages" or "input";
                    last = default;
                }
                else if (depth == 2 && conversation)
                    (itemStart, itemToken, role) = ((int)reader.TokenStartIndex, token, Role.None);
                else if (depth == 3 && roleNext)
                    role = RoleOf(ref reader);
                roleNext = false;
            }
            if (token == JsonTokenType.StartObject)
                names.Enter();
            else if (token == JsonTokenType.EndObject)
                names.Leave();
            if (opens)
                continue;
            var end = (int)reader.BytesConsumed;
            if (depth == 2 && conversation && role is not (Role.System or Role.Developer))
                last = role == Role.User ? new JsonSlice(itemStart, end - itemStart, itemToken) : default;
            else if (depth == 1)
            {
                Keep(member, new JsonSlice(memberStart, end - memberStart, memberToken), last);
                (member, conversation) = (null, false);
            }
        }
        return true;
    }

    private static string? Member(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("model"u8) ? "model"
        : reader.ValueTextEquals("stream"u8) ? "stream"
        : reader.ValueTextEquals("messages"u8) ? "messages"
        : reader.ValueTextEquals("input"u8) ? "input"
        : reader.ValueTextEquals("metadata"u8) ? "metadata"
        : reader.ValueTextEquals("stream_options"u8) ? "stream_options"
        : reader.ValueTextEquals("background"u8) ? "background"
        : reader.ValueTextEquals("previous_response_id"u8) ? "previous_response_id"
        : reader.ValueTextEquals("prompt"u8) ? "prompt"
        : reader.ValueTextEquals("max_tokens"u8) ? "max_tokens"
        : reader.ValueTextEquals("max_completion_tokens"u8) ? "max_completion_tokens"
        : reader.ValueTextEquals("max_output_tokens"u8) ? "max_output_tokens"
        : null;

    private void Keep(string? member, JsonSlice value, JsonSlice lastUser)
    {
        switch (member)
        {
            case "model": Model = value; break;
            case "stream": Stream = value; break;
            case "messages": (Messages, LastUserMessage) = (value, lastUser); break;
            case "input": (Input, LastUserInput) = (value, lastUser); break;
            case "metadata": Metadata = value; break;
            case "stream_options": StreamOptions = value; break;
            case "background": Background = value; break;
            case "previous_response_id": PreviousResponseId = value; break;
            case "prompt": Prompt = value; break;
            case "max_completion_tokens" or "max_output_tokens": MaxTokens = value; break;
            case "max_tokens" when !MaxTokens.Present: MaxTokens = value; break;
        }
    }

    private static Role RoleOf(ref Utf8JsonReader reader) =>
        reader.TokenType != JsonTokenType.String ? Role.Other
        : reader.ValueTextEquals("system"u8) ? Role.System
        : reader.ValueTextEquals("developer"u8) ? Role.Developer
        : reader.ValueTextEquals("user"u8) ? Role.User
        : Role.Other;

    /// <summary>The bytes of a slice of this body.</summary>
    public ReadOnlySpan<byte> Span(JsonSlice slice) => Body.AsSpan(slice.Start, slice.Length);

    /// <summary>At most <paramref name="maxUtf8Bytes"/> of a string value, with its whole size; null when absent or not a string.</summary>
    public BoundedText? String(JsonSlice slice, int maxUtf8Bytes) =>
        slice.Token == JsonTokenType.String ? BoundedText.Of(Span(slice), maxUtf8Bytes) : (BoundedText?)null;

    /// <summary>A string value of at most <paramref name="maxUtf8Bytes"/>, else null.</summary>
    public string? ShortString(JsonSlice slice, int maxUtf8Bytes) => String(slice, maxUtf8Bytes) is { Truncated: false } text ? text.Text : null;

    /// <summary>A whole number value that fits a long, else null.</summary>
    public long? Integer(JsonSlice slice) =>
        slice.Token == JsonTokenType.Number && System.Buffers.Text.Utf8Parser.TryParse(Span(slice), out long value, out var used) && used == slice.Length
            ? value : null;

    /// <summary>A string value whatever its length, else null.</summary>
    public string? String(JsonSlice slice) => String(slice, int.MaxValue)?.Text;

    /// <summary>The value of the member <paramref name="name"/> when <paramref name="slice"/> is an object that has it; else absent.</summary>
    public JsonSlice Property(JsonSlice slice, ReadOnlySpan<byte> name)
    {
        if (slice.Token != JsonTokenType.StartObject)
            return default;
        var reader = new Utf8JsonReader(Span(slice), Nested);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            var token = reader.TokenType;
            reader.Skip();
            if (match)
                return new JsonSlice(slice.Start + start, (int)reader.BytesConsumed - start, token);
        }
        return default;
    }

    /// <summary>The items of an array value, in order; empty for any other kind.</summary>
    public List<JsonSlice> Items(JsonSlice slice)
    {
        List<JsonSlice> items = [];
        if (slice.Token != JsonTokenType.StartArray)
            return items;
        var reader = new Utf8JsonReader(Span(slice), Nested);
        reader.Read();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            var token = reader.TokenType;
            reader.Skip();
            items.Add(new JsonSlice(slice.Start + start, (int)reader.BytesConsumed - start, token));
        }
        return items;
    }
}

/// <summary>Where one JSON value lies in a body, and the kind of its first token; absent when <see cref="Length"/> is 0.</summary>
internal readonly record struct JsonSlice(int Start, int Length, JsonTokenType Token)
{
    /// <summary>Whether the member is there at all (a JSON <c>null</c> is there).</summary>
    public bool Present => Length > 0;

    /// <summary>Absent, or JSON <c>null</c>: what a <see cref="JsonObject"/> indexer gives null for.</summary>
    public bool IsNullOrAbsent => Length == 0 || Token == JsonTokenType.Null;
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Bridgekeeper.Providers;
using Bridgekeeper.Providers.AnthropicMessages;
using Bridgekeeper.Providers.OpenAIChat;
using Bridgekeeper.Providers.OpenAIResponses;

namespace Bridgekeeper.Tests.Hostile;

/// <summary>
/// Hostile request bodies through the path the gateway takes: the parse step (<see cref="GatewayParse"/>), then the
/// dialect's <c>Read</c>, <c>PrepareUpstream</c>, tool injection and the write-back. The one documented failure is the
/// parse step's refusal (a 400); after it nothing may throw. The forward-only pass is compared with the DOM path it
/// replaced: it refuses exactly what a <see cref="JsonDocument"/> parse refuses, its facts agree with an oracle written
/// here on <see cref="JsonDocument"/> from SPEC §5 and the field checks (a Problem exactly when a read field is
/// malformed), and the body it sends upstream (the client's bytes, a splice, or the object written back) is the JSON
/// the DOM edit gives.
/// </summary>
public sealed class RequestReaderPropertyTests
{
    private const long Iterations = 2_500;

    private static readonly ToolDefinition[] Injected =
        [new("bmcp_hostile_echo", "Echo", new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() })];

    public static TheoryData<string> Dialects => ["openai-chat", "openai-responses", "anthropic-messages"];

    /// <summary>Everything but undecodable strings: these pass on today's code.</summary>
    [Theory]
    [MemberData(nameof(Dialects))]
    public void ReadAndPrepare_HostileDecodableBodies_NeverThrowAndFactsMatchOracle(string dialect) =>
        Property.Check(HostileJson.Body(Realistic(dialect), hostile: false), body => AssertGatewayPath(dialect, body), Iterations, HostileJson.Show);

    /// <summary>
    /// With invalid UTF-8 and lone surrogate escapes as well. Today the parse step accepts such bodies and the readers
    /// then throw <see cref="InvalidOperationException"/> (or the parse step itself does, for a property name); the
    /// property holds once the parse step refuses them.
    /// </summary>
    [Theory]
    [MemberData(nameof(Dialects))]
    public void ReadAndPrepare_UndecodableStrings_RefusedByParseOrNeverThrow(string dialect) =>
        Property.Check(HostileJson.Body(Realistic(dialect), hostile: true), body => AssertGatewayPath(dialect, body), Iterations, HostileJson.Show);

    private static void AssertGatewayPath(string dialectName, byte[] body)
    {
        var dialect = Dialect(dialectName);
        var json = GatewayParse.Parse(body);
        Assert.Equal(GatewayParse.DomAccepts(body), json is not null);
        if (json is null)
            return;                                                   // the documented refusal: 400 before Read

        var facts = dialect.Read(json);
        if (!HostileJson.HasUndecodableText(body))
            Assert.Equal<object>(Oracle(dialectName, body), facts, FactsComparer.Instance);
        if (facts.Problem is not null)
            return;                                                   // refused in the provider's shape: nothing goes upstream

        var usage = dialectName == "openai-chat" && facts.Stream && !facts.ClientWantsUsage;
        var edit = dialect.PrepareUpstream(json, facts);
        Assert.Equal(usage, edit.Changed);
        var plain = Reparse(JsonBody.ForUpstream(json, edit));
        Assert.True(JsonNode.DeepEquals(DomEdit(body, usage), plain), "the body sent upstream differs from the DOM path's edit");

        var injected = GatewayParse.Parse(body)!;                     // as the endpoint runs it: tools first, then the dialect's edit
        var existingTools = (injected.Object["tools"] as JsonArray)?.Count ?? 0;
        dialect.ToolLoop!.InjectTools(injected.Object, Injected);
        var reparsed = Reparse(JsonBody.ForUpstream(injected, dialect.PrepareUpstream(injected, facts)));
        Assert.Equal(existingTools + 1, reparsed["tools"]!.AsArray().Count);
        Assert.Equal(facts.Model, Json.String(reparsed["model"]) ?? "");
        if (usage)
            Assert.True(Json.Bool(Json.Property(reparsed["stream_options"], "include_usage")));
    }

    /// <summary>The DOM path's edit: the whole body as an object, with <c>stream_options.include_usage</c> set when the gateway adds it.</summary>
    private static JsonObject DomEdit(byte[] body, bool usage)
    {
        var json = JsonNode.Parse(body, null, new JsonDocumentOptions { MaxDepth = HostileJson.ParserMaxDepth + 1 })!.AsObject();
        if (usage && json["stream_options"] is JsonObject options)
            options["include_usage"] = true;
        else if (usage)
            json["stream_options"] = new JsonObject { ["include_usage"] = true };
        return json;
    }

    private static JsonObject Reparse((ReadOnlyMemory<byte> Head, ReadOnlyMemory<byte> Body) sent) =>
        JsonNode.Parse([.. sent.Head.Span, .. sent.Body.Span], null, new JsonDocumentOptions { MaxDepth = HostileJson.ParserMaxDepth + 1 })!.AsObject();

    /// <summary>The expected facts (Problem compared by status only, in <see cref="FactsComparer"/>).</summary>
    private static Expected Oracle(string dialect, byte[] body)
    {
        using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = HostileJson.ParserMaxDepth });
        var root = document.RootElement;
        var given = Get(root, "model") is { ValueKind: JsonValueKind.String } m ? m.GetString()! : null;
        var modelTooLong = given is not null && System.Text.Encoding.UTF8.GetByteCount(given) > RequestChecks.MaxModelBytes;
        var model = modelTooLong ? "" : given ?? "";
        var stream = Get(root, "stream")?.ValueKind == JsonValueKind.True;
        var streamBad = Get(root, "stream") is { } s && s.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null);
        var modelBad = given is null || modelTooLong;
        switch (dialect)
        {
            case "openai-chat":
            {
                var problem = modelBad || streamBad || Get(root, "messages")?.ValueKind != JsonValueKind.Array ? 400 : (int?)null;
                var wantsUsage = Get(root, "stream_options") is { ValueKind: JsonValueKind.Object } options && Get(options, "include_usage")?.ValueKind == JsonValueKind.True;
                return new(model, stream, ChatPrompt(LastUserMessage(Get(root, "messages"))), null, wantsUsage, problem);
            }
            case "openai-responses":
            {
                var input = Get(root, "input");
                var continues = Get(root, "previous_response_id")?.ValueKind == JsonValueKind.String || Get(root, "prompt")?.ValueKind == JsonValueKind.Object;
                var inputMissing = input is null || input.Value.ValueKind == JsonValueKind.Null;
                var inputBad = inputMissing ? !continues : input!.Value.ValueKind is not (JsonValueKind.Array or JsonValueKind.String);
                int? problem = Get(root, "background")?.ValueKind == JsonValueKind.True ? 501 : modelBad || streamBad || inputBad ? 400 : null;
                return new(model, stream, ResponsesPrompt(input), null, true, problem);
            }
            default:
            {
                var problem = modelBad || streamBad || Get(root, "messages")?.ValueKind != JsonValueKind.Array ? 400 : (int?)null;
                var userId = Get(root, "metadata") is { ValueKind: JsonValueKind.Object } metadata && Get(metadata, "user_id") is { ValueKind: JsonValueKind.String } id
                    && System.Text.Encoding.UTF8.GetByteCount(id.GetString()!) <= RequestChecks.MaxUserIdBytes ? id.GetString() : null;
                return new(model, stream, AnthropicPrompt(LastUserMessage(Get(root, "messages"))), AnthropicSession(userId), true, problem);
            }
        }
    }

    /// <summary>SPEC §5: back from the end, past system and developer messages; the first other one, when it is the user's.</summary>
    private static JsonElement? LastUserMessage(JsonElement? messages)
    {
        if (messages is not { ValueKind: JsonValueKind.Array } list)
            return null;
        foreach (var message in list.EnumerateArray().Reverse())
        {
            var role = message.ValueKind == JsonValueKind.Object && Get(message, "role") is { ValueKind: JsonValueKind.String } r ? r.GetString() : null;
            if (role is "system" or "developer")
                continue;
            return role == "user" ? message : null;
        }
        return null;
    }

    private static string? ChatPrompt(JsonElement? message) => message is { } m && Get(m, "content") is { } content
        ? content.ValueKind == JsonValueKind.String ? content.GetString() : JoinTexts(content, "text")
        : null;

    private static string? ResponsesPrompt(JsonElement? input)
    {
        if (input is { ValueKind: JsonValueKind.String } text)
            return text.GetString();
        if (LastUserMessage(input) is not { } message)
            return null;
        if (Get(message, "type") is { ValueKind: JsonValueKind.String } type && type.GetString() != "message")
            return null;
        return Get(message, "content") is { } content
            ? content.ValueKind == JsonValueKind.String ? content.GetString() : JoinTexts(content, "input_text", "text")
            : null;
    }

    private static string? AnthropicPrompt(JsonElement? message)
    {
        if (message is not { } m || Get(m, "content") is not { } content)
            return null;
        if (content.ValueKind == JsonValueKind.String)
            return content.GetString();
        return content.ValueKind != JsonValueKind.Array ? null : content.EnumerateArray()
            .Where(block => block.ValueKind == JsonValueKind.Object && Get(block, "type") is { ValueKind: JsonValueKind.String } t && t.GetString() == "text")
            .Select(block => Get(block, "text") is { ValueKind: JsonValueKind.String } t ? t.GetString() : null)
            .LastOrDefault(t => t is not null);
    }

    private static string? JoinTexts(JsonElement parts, params string[] types)
    {
        if (parts.ValueKind != JsonValueKind.Array)
            return null;
        var texts = parts.EnumerateArray()
            .Where(part => part.ValueKind == JsonValueKind.Object && Get(part, "type") is { ValueKind: JsonValueKind.String } t && types.Contains(t.GetString()))
            .Select(part => Get(part, "text") is { ValueKind: JsonValueKind.String } t ? t.GetString() : null)
            .OfType<string>().ToList();
        return texts.Count == 0 ? null : string.Join('\n', texts);
    }

    /// <summary>
    /// Claude Code's <c>metadata.user_id</c>: JSON text with a non-empty string <c>session_id</c>, or the older
    /// <c>…_session_&lt;id&gt;</c> form. JSON text that does not parse, or whose session id cannot be decoded, has no session.
    /// </summary>
    private static string? AnthropicSession(string? userId)
    {
        if (string.IsNullOrEmpty(userId))
            return null;
        if (userId.TrimStart().StartsWith('{'))
        {
            try
            {
                using var inner = JsonDocument.Parse(userId);
                return inner.RootElement.ValueKind == JsonValueKind.Object && Get(inner.RootElement, "session_id") is { ValueKind: JsonValueKind.String } session
                    && session.GetString() is { Length: > 0 } id ? id : null;
            }
            catch (Exception exception) when (exception is JsonException or InvalidOperationException)
            {
                return null;
            }
        }
        const string marker = "_session_";
        var at = userId.LastIndexOf(marker, StringComparison.Ordinal);
        return at >= 0 && at + marker.Length < userId.Length ? userId[(at + marker.Length)..] : null;
    }

    private static JsonElement? Get(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : null;

    private static IReadOnlyList<string> Realistic(string dialect) => dialect switch
    {
        "openai-chat" => RealisticRequests.OpenAIChat,
        "openai-responses" => RealisticRequests.OpenAIResponses,
        _ => RealisticRequests.AnthropicMessages,
    };

    private static IApiDialect Dialect(string name) => name switch
    {
        "openai-chat" => new OpenAIChatDialect(),
        "openai-responses" => new OpenAIResponsesDialect(),
        _ => new AnthropicMessagesDialect(),
    };

    private sealed record Expected(string Model, bool Stream, string? Prompt, string? SessionId, bool ClientWantsUsage, int? ProblemStatus);

    /// <summary>Compares the oracle's facts with the dialect's, the Problem by its status, with a readable message.</summary>
    private sealed class FactsComparer : IEqualityComparer<object>
    {
        public static readonly FactsComparer Instance = new();

        public new bool Equals(object? x, object? y) => x is Expected e && y is RequestFacts f
            ? e.Model == f.Model && e.Stream == f.Stream && SamePrompt(e.Prompt, f.Prompt) && e.SessionId == f.SessionId
              && e.ClientWantsUsage == f.ClientWantsUsage && e.ProblemStatus == f.Problem?.Status
            : object.Equals(x, y);

        public int GetHashCode(object obj) => 0;

        /// <summary>The dialect holds at most <see cref="RequestFacts.MaxPromptBytes"/> of the prompt, with its whole size.</summary>
        private static bool SamePrompt(string? expected, BoundedText? actual) => expected is null
            ? actual is null
            : actual is { } held && held.Text == Providers.BoundedTextTests.FirstBytes(expected, RequestFacts.MaxPromptBytes)
              && held.TotalBytes == System.Text.Encoding.UTF8.GetByteCount(expected);
    }
}

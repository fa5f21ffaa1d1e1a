using System.Text.Json.Nodes;
using Bridgekeeper.Streaming;

namespace Bridgekeeper.Providers.OpenAIChat;

/// <summary>OpenAI Chat Completions (<c>POST /v1/chat/completions</c>).</summary>
internal sealed class OpenAIChatDialect : IApiDialect
{
    private static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();

    public string Name => "openai-chat";

    public IToolLoopDialect ToolLoop { get; } = new OpenAIChatToolLoop();

    public ReadOnlyMemory<byte> KeepAliveFrame => KeepAlive;

    public RequestFacts Read(JsonObject request) => new(
        Model: Json.ShortString(request[Keys.Model], RequestChecks.MaxModelBytes) ?? "",
        Stream: Json.Bool(request[Keys.Stream]) == true,
        Prompt: PromptOf(PromptText.LastUserMessage(request[Keys.Messages])),
        SessionId: null,
        ClientWantsUsage: Json.Bool(Json.Property(request[Keys.StreamOptions], Keys.IncludeUsage)) == true,
        Problem: RequestChecks.Problem(request, Keys.Messages, conversationMayBeString: false));

    private static readonly byte[] IncludeUsage = "\"stream_options\":{\"include_usage\":true}"u8.ToArray();

    /// <summary>
    /// Streams always ask for usage upstream, so it is known; the observer hides it when the client did not ask. Without
    /// <c>stream_options</c> (the usual case) the member goes in front of the client's own bytes; otherwise it is set in place.
    /// </summary>
    public BodyEdit PrepareUpstream(JsonObject request, RequestFacts facts)
    {
        if (!facts.Stream || facts.ClientWantsUsage)
            return BodyEdit.None;                    // nothing to change: the client's own bytes go upstream
        if (request[Keys.StreamOptions] is JsonObject options)
        {
            options[Keys.IncludeUsage] = true;       // replaces in place: other keys and their order stay
            return BodyEdit.Rewritten;
        }
        var absent = !request.ContainsKey(Keys.StreamOptions);
        request[Keys.StreamOptions] = new JsonObject { [Keys.IncludeUsage] = true };
        return absent ? BodyEdit.Prepended(IncludeUsage) : BodyEdit.Rewritten;
    }

    public IExchangeObserver Observe(RequestFacts facts) => new OpenAIChatObserver(facts);

    public byte[] ErrorBody(GatewayError error) => Json.Write(error, static (writer, error) =>
    {
        writer.WriteStartObject();
        writer.WriteStartObject(Keys.Error);
        writer.WriteString(Keys.Message, error.Message);
        writer.WriteString(Keys.Type, error.Type);
        writer.WriteNull(Keys.Param);
        if (error.Code is null)
            writer.WriteNull(Keys.Code);
        else
            writer.WriteString(Keys.Code, error.Code);
        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    public byte[] StreamErrorFrame(GatewayError error) => [.. "data: "u8, .. ErrorBody(error), .. "\n\n"u8];

    /// <summary>SPEC §5: a string content as it is, or the text parts joined with '\n'; role <c>tool</c> never gets here.</summary>
    private static BoundedText? PromptOf(JsonObject? message)
    {
        var content = message?[Keys.Content];
        if (PromptText.Text(content) is { } text)
            return text;
        if (content is not JsonArray parts)
            return null;
        return PromptText.Join(parts
            .Where(part => Json.String(Json.Property(part, Keys.Type)) == Keys.Text)
            .Select(part => Json.Property(part, Keys.Text)), '\n');
    }
}

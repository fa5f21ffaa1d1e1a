using System.Text.Json;
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

    public RequestFacts Read(RequestDocument request) => new(
        Model: request.ShortString(request.Model, RequestChecks.MaxModelBytes) ?? "",
        Stream: request.Stream.Token == JsonTokenType.True,
        Prompt: PromptOf(request, request.LastUserMessage),
        SessionId: null,
        ClientWantsUsage: request.Property(request.StreamOptions, "include_usage"u8).Token == JsonTokenType.True,
        Problem: RequestChecks.Problem(request, request.Messages, Keys.Messages, conversationMayBeString: false))
    {
        MaxOutputTokens = request.Integer(request.MaxTokens),
    };

    private static readonly byte[] IncludeUsage = "\"stream_options\":{\"include_usage\":true}"u8.ToArray();

    /// <summary>
    /// Streams always ask for usage upstream, so it is known; the observer hides it when the client did not ask. Without
    /// <c>stream_options</c> (the usual case) the member goes in front of the client's own bytes; otherwise, or when the
    /// body is already an object being edited (injected tools), it is set in place.
    /// </summary>
    public BodyEdit PrepareUpstream(RequestDocument request, RequestFacts facts)
    {
        if (!facts.Stream || facts.ClientWantsUsage)
            return BodyEdit.None;                    // nothing to change: the client's own bytes go upstream
        if (!request.StreamOptions.Present && !request.HasObject)
            return BodyEdit.Prepended(IncludeUsage); // no object is built: the member goes in front of the client's bytes
        if (request.Object[Keys.StreamOptions] is JsonObject options)
            options[Keys.IncludeUsage] = true;       // replaces in place: other keys and their order stay
        else
            request.Object[Keys.StreamOptions] = new JsonObject { [Keys.IncludeUsage] = true };
        return BodyEdit.Rewritten;
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
    private static BoundedText? PromptOf(RequestDocument request, JsonSlice message)
    {
        var content = request.Property(message, "content"u8);
        return PromptText.Text(request, content) ?? PromptText.Join(request, PromptText.TextsOfType(request, content, Keys.Text), '\n');
    }
}

using System.Text.Json;
using Bridgekeeper.Providers.OpenAIChat;

namespace Bridgekeeper.Providers.OpenAIResponses;

/// <summary>OpenAI Responses (<c>POST /v1/responses</c>), as Codex speaks it.</summary>
internal sealed class OpenAIResponsesDialect : IApiDialect
{
    private static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();

    /// <summary>Gateway-made error bodies have the same OpenAI shape as Chat Completions'.</summary>
    private static readonly OpenAIChatDialect Chat = new();

    public string Name => "openai-responses";

    public ReadOnlyMemory<byte> KeepAliveFrame => KeepAlive;

    public IToolLoopDialect ToolLoop { get; } = new OpenAIResponsesToolLoop();

    public bool StoresResponses => true;

    public RequestFacts Read(RequestDocument request) => new(
        Model: request.ShortString(request.Model, RequestChecks.MaxModelBytes) ?? "",
        Stream: request.Stream.Token == JsonTokenType.True,
        Prompt: PromptOf(request),
        SessionId: null,                             // Codex sends it as the session-id header
        ClientWantsUsage: true,
        Problem: ProblemOf(request))
    {
        ContinuesFrom = request.String(request.PreviousResponseId),
        MaxOutputTokens = request.Integer(request.MaxTokens),
    };

    /// <summary>
    /// Responses streams always carry usage in their closing event, so the body goes upstream unchanged: item ids,
    /// unknown fields and tool types (<c>namespace</c>, <c>web_search</c>, <c>custom</c>, ...) pass through as sent.
    /// </summary>
    public BodyEdit PrepareUpstream(RequestDocument request, RequestFacts facts) => BodyEdit.None;

    public IExchangeObserver Observe(RequestFacts facts) => new OpenAIResponsesObserver();

    public byte[] ErrorBody(GatewayError error) => Chat.ErrorBody(error);

    /// <summary>The Responses in-stream <c>error</c> event; <c>code</c> falls back to the error type, so it is never null.</summary>
    public byte[] StreamErrorFrame(GatewayError error)
    {
        var data = Json.Write(error, static (writer, error) =>
        {
            writer.WriteStartObject();
            writer.WriteString(Keys.Type, Keys.Error);
            writer.WriteString(Keys.Code, error.Code ?? error.Type);
            writer.WriteString(Keys.Message, error.Message);
            writer.WriteNull(Keys.Param);
            writer.WriteNumber(Keys.SequenceNumber, 0);
            writer.WriteEndObject();
        });
        return [.. "event: error\ndata: "u8, .. data, .. "\n\n"u8];
    }

    /// <summary>
    /// Background responses are refused (501): their result is fetched later by id, outside any exchange the gateway
    /// could observe and record. <c>input</c> may be left out when the conversation continues from
    /// <c>previous_response_id</c> or a stored <c>prompt</c> template.
    /// </summary>
    private static GatewayError? ProblemOf(RequestDocument request)
    {
        if (request.Background.Token == JsonTokenType.True)
            return GatewayError.NotImplemented("Background responses (\"background\": true) are not supported by this gateway, because their usage could not be recorded; send the request without it.");
        var continues = request.PreviousResponseId.Token == JsonTokenType.String || request.Prompt.Token == JsonTokenType.StartObject;
        return RequestChecks.Problem(request, request.Input, Keys.Input, conversationMayBeString: true, conversationOptional: continues);
    }

    /// <summary>
    /// SPEC §5: a string <c>input</c> is the prompt. Otherwise the last item that is not a developer or system message
    /// must be a user message (<c>{"type":"message","role":"user",...}</c> or the shorthand without <c>type</c>);
    /// any other item (<c>function_call_output</c>, <c>reasoning</c>, <c>item_reference</c>, ...) means no prompt.
    /// </summary>
    private static BoundedText? PromptOf(RequestDocument request)
    {
        if (PromptText.Text(request, request.Input) is { } text)
            return text;
        var message = request.LastUserInput;
        if (!message.Present || request.String(request.Property(message, "type"u8)) is not (null or Keys.Message))
            return null;
        return ContentText(request, request.Property(message, "content"u8));
    }

    /// <summary>A string content as it is, or its <c>input_text</c> (or <c>text</c>) parts joined with '\n'.</summary>
    private static BoundedText? ContentText(RequestDocument request, JsonSlice content) =>
        PromptText.Text(request, content) ?? PromptText.Join(request, PromptText.TextsOfType(request, content, Keys.InputText, Keys.Text), '\n');
}

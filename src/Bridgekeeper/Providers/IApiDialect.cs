using System.Text.Json.Nodes;
using Bridgekeeper.Streaming;

namespace Bridgekeeper.Providers;

/// <summary>
/// One wire schema (OpenAI Chat Completions, Anthropic Messages, ...). Pure: no I/O and no HttpContext,
/// so recorded fixtures test it completely. The request body is read once, forward only (<see cref="RequestDocument"/>);
/// when it must be edited, it becomes a <see cref="JsonObject"/> edited in place, so fields the gateway does not model survive. Responses are observed; only the hidden loop's turns
/// (<see cref="ILoopTurn"/>) rewrite what the client sees of them.
/// </summary>
internal interface IApiDialect
{
    /// <summary>Stable name used in logs and metrics, e.g. <c>openai-chat</c>.</summary>
    string Name { get; }

    /// <summary>Reads the few facts the gateway needs. Never throws on a missing or mistyped field.</summary>
    RequestFacts Read(RequestDocument request);

    /// <summary>
    /// Applies the edits the gateway must make before the body goes upstream (e.g. <c>stream_options.include_usage</c>)
    /// to <paramref name="request"/>, and says what they were: nothing (the client's original bytes go upstream
    /// untouched), only new members at the front of the object (spliced into the original bytes, which are not copied;
    /// no object is built), or anything else (made on <see cref="RequestDocument.Object"/>, which is written back).
    /// </summary>
    BodyEdit PrepareUpstream(RequestDocument request, RequestFacts facts);

    /// <summary>Fresh state for one upstream exchange.</summary>
    IExchangeObserver Observe(RequestFacts facts);

    /// <summary>A gateway-made error body in this API's own shape.</summary>
    byte[] ErrorBody(GatewayError error);

    /// <summary>A complete SSE frame (terminated by a blank line) carrying an error, for use after the stream started.</summary>
    byte[] StreamErrorFrame(GatewayError error);

    /// <summary>A complete SSE frame sent while the stream is idle (Anthropic: a ping event; OpenAI: a comment line).</summary>
    ReadOnlyMemory<byte> KeepAliveFrame { get; }

    /// <summary>Whether the upstream keeps this API's responses under their ids (OpenAI Responses), so each id has an owner.</summary>
    bool StoresResponses => false;

    /// <summary>Tool injection and the hidden loop, or null when this dialect does not support them yet.</summary>
    IToolLoopDialect? ToolLoop => null;
}

/// <summary>What <see cref="IApiDialect.PrepareUpstream"/> changed in a request body.</summary>
/// <param name="LeadingMembers">When not empty, the change is exactly these members (<c>"key":value</c>, comma-separated), added as new.</param>
internal readonly record struct BodyEdit(bool Changed, ReadOnlyMemory<byte> LeadingMembers = default)
{
    public static readonly BodyEdit None = new(false);

    /// <summary>Edited in a way only writing the object back can express.</summary>
    public static readonly BodyEdit Rewritten = new(true);

    /// <summary>New members that may go at the front of the original bytes.</summary>
    public static BodyEdit Prepended(ReadOnlyMemory<byte> members) => new(true, members);
}

/// <summary>Watches one upstream exchange, event by event or as a whole body, and sums up what it saw.</summary>
internal interface IExchangeObserver
{
    /// <summary>Called for every upstream event, in order. <see cref="Relay.Suppress"/> keeps it from the client.</summary>
    Relay OnEvent(in SseEvent item);

    /// <summary>Called once with the whole body of a non-streaming response.</summary>
    void OnBody(ReadOnlySpan<byte> body);

    /// <summary>What the exchange amounted to. Safe to call after a partial stream (cancellation, errors).</summary>
    ExchangeSummary Complete();
}

/// <summary>What to do with an upstream event: relay its bytes, keep it from the client, or send a rewritten frame instead.</summary>
internal enum Relay { Forward, Suppress, Replace }

namespace Bridgekeeper.MockUpstream;

/// <summary>What a completion request gets back (header <c>x-mock-scenario</c>).</summary>
internal enum MockScenario
{
    /// <summary>A plain text reply.</summary>
    Text,

    /// <summary>
    /// The calls in <c>x-mock-tool</c> (or <c>mock:tool=</c> lines), all in one turn, unless the request ends with tool results
    /// and already holds <c>x-mock-rounds</c> (default 1) tool rounds: then <c>Tool said: r1 | r2</c>.
    /// </summary>
    ToolCall,

    /// <summary>Anthropic: a thinking block, then text. Responses: a reasoning summary, then text. Chat: text with reasoning tokens in usage.</summary>
    Thinking,

    /// <summary>An error status (<c>x-mock-status</c>, default 429) before anything else. Bedrock: its error type for the status (429 <c>ThrottlingException</c>).</summary>
    ErrorBefore,

    /// <summary>
    /// The stream starts, then carries an in-stream error and ends. Bedrock: an exception frame, <c>modelStreamErrorException</c>
    /// or the one named by <c>x-mock-bedrock-exception</c>. Blocking: an error status (default 500) instead.
    /// </summary>
    ErrorMid,

    /// <summary>Headers and the first events, then nothing until the client goes away.</summary>
    Hang,

    /// <summary>
    /// The first events, then the body ends with no final event (chat: no finish chunk or <c>[DONE]</c>; messages: no
    /// <c>message_delta</c>/<c>message_stop</c>; responses: no <c>response.completed</c>). Blocking: half the JSON body.
    /// </summary>
    Cut,

    /// <summary>
    /// The first events, then the connection drops (no clean end). Blocking: the whole length declared, half the JSON
    /// body sent, then the connection drops.
    /// </summary>
    Drop,

    /// <summary>Responses: a <c>commentary</c>-phase message, then the <c>final_answer</c> message. Elsewhere: text.</summary>
    Commentary,

    /// <summary>
    /// Web searches (<c>web_searches=</c> in <c>x-mock-usage</c>, default 1), then the text. Responses: a <c>web_search_call</c>
    /// item each. Messages (and Bedrock): a <c>server_tool_use</c> and a <c>web_search_tool_result</c> block each, counted in
    /// <c>usage.server_tool_use.web_search_requests</c>. Chat: text.
    /// </summary>
    WebSearch,
}

namespace Bridgekeeper.MockUpstream;

/// <summary>What a completion request gets back (header <c>x-mock-scenario</c>).</summary>
internal enum MockScenario
{
    /// <summary>A plain text reply.</summary>
    Text,

    /// <summary>A call of the tool named in <c>x-mock-tool</c>, unless the request ends with a tool result.</summary>
    ToolCall,

    /// <summary>Anthropic: a thinking block, then text. OpenAI: text with reasoning tokens in usage.</summary>
    Thinking,

    /// <summary>An error status (<c>x-mock-status</c>, default 429) before anything else.</summary>
    ErrorBefore,

    /// <summary>The stream starts, then carries an in-stream error and ends.</summary>
    ErrorMid,

    /// <summary>Headers and the first events, then nothing until the client goes away.</summary>
    Hang,
}

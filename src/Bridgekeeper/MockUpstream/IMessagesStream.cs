using System.Text.Json.Nodes;

namespace Bridgekeeper.MockUpstream;

/// <summary>Where the events of an Anthropic Messages stream go, as data: SSE frames for the Anthropic mock, event-stream frames for Bedrock's.</summary>
internal interface IMessagesStream
{
    /// <summary>One event: its name (<c>message_start</c>, …) and its JSON data.</summary>
    Task EventAsync(string name, JsonNode data);

    /// <summary>The <c>ping</c> after the first <c>content_block_start</c> (Bedrock sends none).</summary>
    Task PingAsync();

    /// <summary>The in-stream failure of <c>error_mid</c>, in the API's own shape.</summary>
    Task ErrorAsync();
}

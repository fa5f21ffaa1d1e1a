namespace Bridgekeeper.MockUpstream;

/// <summary>Which wire API a completion route speaks; its <see cref="MockProvider"/> decides auth header and error shape.</summary>
internal enum MockApi
{
    OpenAIChat,
    OpenAIResponses,
    AnthropicMessages,
}

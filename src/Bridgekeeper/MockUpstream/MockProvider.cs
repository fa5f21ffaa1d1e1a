namespace Bridgekeeper.MockUpstream;

/// <summary>Which real API a mock route imitates; decides auth header and error shape.</summary>
internal enum MockProvider
{
    OpenAI,
    Anthropic,
}

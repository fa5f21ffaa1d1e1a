namespace Bridgekeeper.Providers;

/// <summary>One provider instance: routes under <c>/{Name}/</c>, speaking <see cref="Type"/>'s APIs.</summary>
/// <param name="Organization">OpenAI: the <c>OpenAI-Organization</c> the gateway's key bills to (the client's is never forwarded).</param>
/// <param name="Project">OpenAI: the <c>OpenAI-Project</c> the gateway's key bills to (the client's is never forwarded).</param>
internal sealed record ProviderSettings(string Name, string Type, string? Key, Uri BaseUrl, string? Organization = null, string? Project = null);

internal static class ProviderTypes
{
    public const string OpenAI = "openai";
    public const string Anthropic = "anthropic";
}

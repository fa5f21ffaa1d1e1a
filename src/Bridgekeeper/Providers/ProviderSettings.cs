namespace Bridgekeeper.Providers;

/// <summary>One provider instance: routes under <c>/{Name}/</c>, speaking <see cref="Type"/>'s APIs.</summary>
/// <param name="Key">The upstream key; with a pool (<see cref="Keys"/>), its first key.</param>
/// <param name="Organization">OpenAI: the <c>OpenAI-Organization</c> the gateway's key bills to (the client's is never forwarded).</param>
/// <param name="Project">OpenAI: the <c>OpenAI-Project</c> the gateway's key bills to (the client's is never forwarded).</param>
internal sealed record ProviderSettings(string Name, string Type, string? Key, Uri BaseUrl, string? Organization = null, string? Project = null)
{
    private readonly IReadOnlyList<string>? _keys;

    /// <summary>
    /// The key pool, used in turn for new requests: <see cref="Key"/> first (when set), then the other keys given, each
    /// once. Empty when the provider has no key (its routes then answer 503).
    /// </summary>
    public IReadOnlyList<string> Keys
    {
        get => _keys is null ? (Key is null ? [] : [Key]) : [.. (Key is null ? _keys : _keys.Prepend(Key)).Distinct(StringComparer.Ordinal)];
        init => _keys = value;
    }
}

internal static class ProviderTypes
{
    public const string OpenAI = "openai";
    public const string Anthropic = "anthropic";
}

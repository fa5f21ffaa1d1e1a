namespace Bridgekeeper.Providers;

/// <summary>One provider instance: routes under <c>/{Name}/</c>, speaking <see cref="Type"/>'s APIs.</summary>
/// <param name="Key">The upstream key; with a pool (<see cref="Keys"/>), its first key.</param>
/// <param name="Organization">OpenAI: the <c>OpenAI-Organization</c> the gateway's key bills to (the client's is never forwarded).</param>
/// <param name="Project">OpenAI: the <c>OpenAI-Project</c> the gateway's key bills to (the client's is never forwarded).</param>
/// <param name="Bedrock">For a <c>bedrock</c> instance: its region, credentials and models (then <see cref="Key"/> is unused).</param>
internal sealed record ProviderSettings(string Name, string Type, string? Key, Uri BaseUrl, string? Organization = null, string? Project = null,
    BedrockSettings? Bedrock = null)
{
    private readonly IReadOnlyList<string>? _keys;

    /// <summary>
    /// The key pool, used in turn for new requests: <see cref="Key"/> first (when set), then the other keys given, each
    /// once. Empty when the provider has no key (its routes then answer 503, except a copilot instance's, which never has one).
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

    /// <summary>Anthropic Messages from the clients, Bedrock Runtime upstream.</summary>
    public const string Bedrock = "bedrock";

    /// <summary>
    /// GitHub Copilot subscription traffic: OpenAI Chat and Responses (without <c>/v1</c>) and Anthropic Messages on one
    /// host. It has no key of its own: each user's own Copilot token (their <c>Authorization</c>) goes upstream.
    /// </summary>
    public const string Copilot = "copilot";
}

/// <summary>
/// A Bedrock instance: the region it signs for, static credentials (or none: the AWS default credential chain), and
/// the Bedrock model ids that clients' model names map to.
/// </summary>
/// <param name="Model">The Bedrock model id for requests that are not haiku-class (and that <see cref="Models"/> does not name).</param>
/// <param name="SmallFastModel">The Bedrock model id for haiku-class requests; <see cref="Model"/> when unset.</param>
/// <param name="Models">Explicit client model name → Bedrock model id entries, tried first.</param>
internal sealed record BedrockSettings(
    string Region,
    string? AccessKeyId,
    string? SecretAccessKey,
    string? SessionToken,
    string? Model,
    string? SmallFastModel,
    IReadOnlyDictionary<string, string> Models)
{
    public bool HasStaticCredentials => AccessKeyId is not null;

    /// <summary>The regional Bedrock Runtime endpoint.</summary>
    public static Uri RegionalUrl(string region) => new($"https://bedrock-runtime.{region}.amazonaws.com/");
}

using Bridgekeeper.Providers;
using Bridgekeeper.Spend;

namespace Bridgekeeper.Interception;

/// <summary>
/// The model aliases, resolved against the provider instances. An alias applies on any route of the API its provider
/// speaks: a request on <c>/anthropic/v1/messages</c> naming an alias of a <c>bedrock</c> instance goes to Bedrock,
/// with the body's <c>model</c> replaced (the only change to the client's bytes). On a route of another API (an
/// OpenAI route naming an alias of an Anthropic instance) it is refused, since the body would have to be translated.
/// </summary>
internal sealed class ModelAliases
{
    private readonly Dictionary<string, (ModelAlias Alias, Provider Provider)> _byName = new(StringComparer.Ordinal);

    public ModelAliases(IReadOnlyList<ModelAlias> aliases, IReadOnlyList<Provider> providers)
    {
        foreach (var alias in aliases)
            _byName[alias.Name] = (alias, providers.Single(p => p.Name == alias.Provider));    // the settings checked the provider exists
    }

    public static readonly ModelAliases None = new([], []);

    public IEnumerable<ModelAlias> All => _byName.Values.Select(v => v.Alias);

    /// <summary>
    /// The alias <paramref name="model"/> names, with the provider and the route of the same API it goes to; null when it
    /// names none. <paramref name="refusal"/> is set instead when the alias's provider does not serve this API.
    /// </summary>
    public (ModelAlias Alias, Provider Provider, InterceptedRoute Route)? Resolve(string model, IApiDialect dialect, out GatewayError? refusal)
    {
        refusal = null;
        if (_byName.Count == 0 || !_byName.TryGetValue(model, out var entry))
            return null;
        if (entry.Provider.Intercepted.FirstOrDefault(r => r.Dialect.Name == dialect.Name) is { } route)
            return (entry.Alias, entry.Provider, route);
        refusal = GatewayError.InvalidRequest(
            $"The model '{model}' is an alias of '{entry.Alias.Model}' on the provider '{entry.Provider.Name}', which does not serve this API; send it to /{entry.Provider.Name}/.");
        return null;
    }

    /// <summary>The body with its top-level <c>model</c> value replaced by <paramref name="model"/>; every other byte as it came.</summary>
    public static byte[] WithModel(RequestDocument request, string model)
    {
        var slice = request.Model;
        var value = Json.Write(model, static (writer, model) => writer.WriteStringValue(model));
        var body = request.Body;
        return [.. body.AsSpan(0, slice.Start), .. value, .. body.AsSpan(slice.Start + slice.Length)];
    }
}

namespace Bridgekeeper.Metrics;

/// <summary>
/// The <c>model</c> label of the metrics. The model string is the client's to choose, so as a label it would make the
/// series unbounded: a model the gateway knows (<paramref name="known"/> gives its canonical name, e.g. the price
/// table's id) keeps that name, anything else is <see cref="Other"/>, and past <paramref name="capacity"/> distinct
/// names (the first ones seen) new names are <see cref="Other"/> too.
/// </summary>
/// <param name="known">The canonical name of a model the gateway knows, or null.</param>
internal sealed class ModelLabels(Func<string, string?> known, int capacity = ModelLabels.MaxLabels)
{
    public const string Other = "other";
    public const int MaxLabels = 500;

    /// <summary>No model is known: every model is <see cref="Other"/>.</summary>
    public static ModelLabels None { get; } = new(_ => null, 0);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _admitted = new(StringComparer.Ordinal);
    private readonly Lock _admitting = new();

    public int Count => _admitted.Count;

    public string For(string model)
    {
        if (known(model) is not { } name)
            return Other;
        if (_admitted.ContainsKey(name))
            return name;
        lock (_admitting)
        {
            if (_admitted.ContainsKey(name))
                return name;
            if (_admitted.Count >= capacity)
                return Other;
            _admitted.TryAdd(name, true);
            return name;
        }
    }
}

namespace Bridgekeeper.Pricing;

/// <summary>Prices by model name from one source (the shipped table, or the operator's), found by the <see cref="ModelIds"/> rules.</summary>
internal sealed class PriceList
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Entry> _newestSnapshot = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// What each requested model string resolved to. Every priced request asks (twice: overrides, then the table), and
    /// resolving tries several spellings with regular expressions; the list never changes, so the answer is kept. Bounded:
    /// model strings come from clients, so past <see cref="MaxResolved"/> distinct ones new strings are resolved uncached.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Entry?> _resolved = new(StringComparer.Ordinal);
    private const int MaxResolved = 4096;

    public PriceList(IReadOnlyDictionary<string, ModelPrice> prices)
    {
        foreach (var (name, price) in prices)
            _entries[name] = new Entry(name, price);
        foreach (var entry in _entries.Values)
        {
            if (ModelIds.WithoutDate(entry.Name) is not { } undated)
                continue;
            if (!_newestSnapshot.TryGetValue(undated, out var current)
                || string.CompareOrdinal(ModelIds.DateOf(entry.Name), ModelIds.DateOf(current.Name)) > 0)
                _newestSnapshot[undated] = entry;
        }
    }

    public static PriceList Empty { get; } = new(new Dictionary<string, ModelPrice>());

    public int Count => _entries.Count;

    /// <summary>
    /// The price of <paramref name="model"/> for a request at <paramref name="at"/>, or null when this list does not
    /// know it. An entry whose temporary price has ended also gives null: it is not replaced by a guess.
    /// </summary>
    public ModelPrice? Find(string model, DateTimeOffset at) =>
        Resolve(model) is { } entry && entry.Price.AppliesAt(at) ? entry.Price : null;

    /// <summary>Whether this list has an entry for <paramref name="model"/> (even an expired one).</summary>
    public bool Knows(string model) => Resolve(model) is not null;

    /// <summary>The table name <paramref name="model"/> resolves to, or null.</summary>
    public string? Match(string model) => Resolve(model)?.Name;

    private Entry? Resolve(string model)
    {
        if (_resolved.TryGetValue(model, out var known))
            return known;
        var resolved = ResolveUncached(model);
        if (_resolved.Count < MaxResolved)
            _resolved.TryAdd(model, resolved);
        return resolved;
    }

    private Entry? ResolveUncached(string model)
    {
        var forms = ModelIds.ExactForms(model);
        foreach (var form in forms)
        {
            if (_entries.TryGetValue(form, out var entry))
                return entry;
        }
        foreach (var form in forms)
        {
            if (ModelIds.WithoutDate(form) is { } undated && _entries.TryGetValue(undated, out var entry))
                return entry;
        }
        foreach (var form in forms)
        {
            if (ModelIds.WithoutDate(form) is not null)
                continue;
            var name = ModelIds.WithoutLatest(form) ?? form;
            if (_entries.TryGetValue(name, out var entry) || _newestSnapshot.TryGetValue(name, out entry))
                return entry;
        }
        return null;
    }

    private sealed record Entry(string Name, ModelPrice Price);
}

namespace Bridgekeeper.Providers;

/// <summary>
/// Entries kept at the index the upstream gives them (a content block's <c>index</c>, an output item's
/// <c>output_index</c>). Gaps are null, and an index out of bounds is ignored, so no index can grow the list without end.
/// </summary>
internal sealed class IndexedEntries<T> where T : class
{
    private const int MaxEntries = 10_000;

    private readonly List<T?> _entries = [];

    /// <summary>The entries in index order, gaps left out.</summary>
    public IEnumerable<T> Present => _entries.OfType<T>();

    /// <summary>The entry at <paramref name="index"/>; null for a gap, an index never set, or none.</summary>
    public T? At(long? index) => index >= 0 && index < _entries.Count ? _entries[(int)index] : null;

    public void Set(long index, T? entry)
    {
        if (index is < 0 or >= MaxEntries)
            return;
        while (_entries.Count <= index)
            _entries.Add(null);
        _entries[(int)index] = entry;
    }
}

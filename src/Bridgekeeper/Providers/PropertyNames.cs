using System.Buffers;
using System.Text.Json;

namespace Bridgekeeper.Providers;

/// <summary>
/// The property names of the objects a forward-only read is inside, to refuse a duplicate (compared unescaped, as
/// <see cref="JsonDocumentOptions.AllowDuplicateProperties"/> does). A name is kept as where its bytes lie: in the
/// body when it has no escape, else unescaped in a side buffer. Small objects are checked by a linear scan; an object
/// with many members gets a hash set, so a hostile body of many members stays linear.
/// </summary>
internal sealed class PropertyNames(byte[] body)
{
    private const int ScanLimit = 16;

    private readonly List<Name> _names = [];
    private readonly List<(int First, HashSet<Name>? Set)> _objects = [];
    private ArrayBufferWriter<byte>? _unescaped;
    private NameComparer? _comparer;

    /// <summary>Where a name's unescaped bytes lie: <c>Start</c> in the body, or <c>~Start</c> in the side buffer.</summary>
    private readonly record struct Name(int Start, int Length);

    public void Enter() => _objects.Add((_names.Count, null));

    public void Leave()
    {
        var (first, _) = _objects[^1];
        _objects.RemoveAt(_objects.Count - 1);
        _names.RemoveRange(first, _names.Count - first);
    }

    /// <summary>Adds the name the reader is on; throws <see cref="JsonException"/> when the innermost object already has it.</summary>
    public void Add(ref Utf8JsonReader reader)
    {
        Name name;
        if (reader.ValueIsEscaped)
        {
            _unescaped ??= new ArrayBufferWriter<byte>();
            var offset = _unescaped.WrittenCount;
            var written = reader.CopyString(_unescaped.GetSpan(reader.ValueSpan.Length));
            _unescaped.Advance(written);
            name = new Name(~offset, written);
        }
        else
            name = new Name((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);

        var (first, set) = _objects[^1];
        if (set is not null)
        {
            if (!set.Add(name))
                throw Duplicate();
        }
        else
        {
            var bytes = Bytes(name);
            for (var i = first; i < _names.Count; i++)
                if (bytes.SequenceEqual(Bytes(_names[i])))
                    throw Duplicate();
            if (_names.Count - first >= ScanLimit)
            {
                set = new HashSet<Name>(_comparer ??= new NameComparer(this));
                for (var i = first; i < _names.Count; i++)
                    set.Add(_names[i]);
                set.Add(name);
                _objects[^1] = (first, set);
            }
        }
        _names.Add(name);
    }

    private ReadOnlySpan<byte> Bytes(Name name) =>
        name.Start >= 0 ? body.AsSpan(name.Start, name.Length) : _unescaped!.WrittenSpan.Slice(~name.Start, name.Length);

    private static JsonException Duplicate() => new("The JSON object has a duplicate property name.");

    private sealed class NameComparer(PropertyNames names) : IEqualityComparer<Name>
    {
        public bool Equals(Name x, Name y) => names.Bytes(x).SequenceEqual(names.Bytes(y));

        public int GetHashCode(Name name)
        {
            var hash = new HashCode();
            hash.AddBytes(names.Bytes(name));
            return hash.ToHashCode();
        }
    }
}

using System.Diagnostics.CodeAnalysis;

namespace Bridgekeeper.Tools;

/// <summary>An immutable <see cref="IToolCatalog"/>. The first tool with a given name wins.</summary>
internal sealed class ToolCatalog : IToolCatalog
{
    private readonly Dictionary<string, InjectedTool> _byName;

    public ToolCatalog(IEnumerable<InjectedTool> tools)
    {
        _byName = new Dictionary<string, InjectedTool>(StringComparer.Ordinal);
        var list = new List<InjectedTool>();
        foreach (var tool in tools)
            if (_byName.TryAdd(tool.Name, tool))
                list.Add(tool);
        Tools = list;
    }

    public static ToolCatalog Empty { get; } = new([]);

    public IReadOnlyList<InjectedTool> Tools { get; }

    public bool TryGet(string prefixedName, [MaybeNullWhen(false)] out InjectedTool tool) => _byName.TryGetValue(prefixedName, out tool);
}

using System.Diagnostics.CodeAnalysis;

namespace Bridgekeeper.Tools;

/// <summary>The injected tools one request gets, in their stable order (servers in configuration order, tools by ordinal name).</summary>
internal interface IToolCatalog
{
    /// <summary>No injected tools.</summary>
    static IToolCatalog Empty => ToolCatalog.Empty;

    IReadOnlyList<InjectedTool> Tools { get; }

    bool TryGet(string prefixedName, [MaybeNullWhen(false)] out InjectedTool tool);
}

using System.Data.Common;

namespace Bridgekeeper.Storage;

/// <summary>Builds a <c>WHERE</c> clause of optional conditions, adding each condition's parameter to the command.</summary>
internal sealed class SqlWhere(DbCommand command)
{
    private readonly List<string> _conditions = [];

    /// <summary>Adds <paramref name="condition"/> with <c>@name</c> bound to <paramref name="value"/>; does nothing when the value is null.</summary>
    public SqlWhere Add(string condition, string name, object? value)
    {
        if (value is null)
            return this;
        _conditions.Add(condition);
        command.AddParameter(name, value);
        return this;
    }

    public override string ToString() => _conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", _conditions);
}

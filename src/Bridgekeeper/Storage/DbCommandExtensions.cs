using System.Data.Common;

namespace Bridgekeeper.Storage;

internal static class DbCommandExtensions
{
    /// <summary>Adds an <c>@name</c> parameter; null becomes DBNull.</summary>
    public static void AddParameter(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}

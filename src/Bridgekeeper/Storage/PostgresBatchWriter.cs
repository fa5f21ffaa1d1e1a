using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace Bridgekeeper.Storage;

/// <summary>
/// Writes an <see cref="AuditBatch"/> to PostgreSQL: one <c>INSERT … SELECT FROM unnest(array, …)</c> per table and one
/// <c>UPDATE … FROM unnest</c> for ends, all sent in a single round trip (<see cref="NpgsqlBatch"/>) inside the caller's
/// transaction. Each column travels as one typed array parameter, so the statements never change with the batch size
/// and their plans are reused. Every insert is idempotent, so a batch retried after a commit whose acknowledgement
/// was lost lands once.
/// </summary>
internal static class PostgresBatchWriter
{
    public static async Task WriteAsync(DbConnection connection, DbTransaction transaction, AuditBatch batch, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlBatch((NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        foreach (var rows in batch.Inserts)
            Add(command, rows, AuditSql.Insert(rows.Table, "SELECT * FROM " + Unnest(rows.Table)));
        Add(command, batch.EndedInterceptions, AuditSql.UpdateEnds($"{Unnest(AuditBatch.Ends)} AS e (id, status, error, ended_at)", "e.id", "e.status", "e.error", "e.ended_at"));
        if (command.BatchCommands.Count > 0)
            await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary><c>unnest($1::uuid[], $2::text[], …)</c> over the table's columns.</summary>
    private static string Unnest(AuditTable table) =>
        "unnest(" + string.Join(", ", table.Columns.Select((c, i) => $"${i + 1}::{SqlType(c.Type)}[]")) + ")";

    private static string SqlType(AuditColumnType type) => type switch
    {
        AuditColumnType.Uuid => "uuid",
        AuditColumnType.Boolean => "boolean",
        AuditColumnType.Bigint => "bigint",
        AuditColumnType.Numeric => "numeric",
        AuditColumnType.Timestamp => "timestamptz",
        _ => "text",
    };

    private static void Add(NpgsqlBatch batch, AuditRows rows, string sql)
    {
        if (rows.Count == 0)
            return;
        var command = new NpgsqlBatchCommand(sql);
        for (var i = 0; i < rows.Table.Columns.Count; i++)
            command.Parameters.Add(Array(rows.Table.Columns[i].Type, rows.Column(i)));
        batch.BatchCommands.Add(command);
    }

    private static NpgsqlParameter Array(AuditColumnType type, IEnumerable<object?> values) => type switch
    {
        AuditColumnType.Uuid => Typed(NpgsqlDbType.Uuid, values.Select(v => (Guid)v!).ToArray()),
        AuditColumnType.Boolean => Typed(NpgsqlDbType.Boolean, values.Select(v => (bool)v!).ToArray()),
        AuditColumnType.Bigint => Typed(NpgsqlDbType.Bigint, values.Select(v => (long?)v).ToArray()),
        AuditColumnType.Numeric => Typed(NpgsqlDbType.Numeric, values.Select(v => (decimal?)v).ToArray()),
        AuditColumnType.Timestamp => Typed(NpgsqlDbType.TimestampTz, values.Select(v => ((DateTimeOffset?)v)?.UtcDateTime).ToArray()),
        _ => Typed(NpgsqlDbType.Text, values.Select(v => (string?)v).ToArray()),
    };

    private static NpgsqlParameter Typed(NpgsqlDbType elementType, System.Array values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | elementType, Value = values };
}

using System.Collections;
using Npgsql;
using NpgsqlTypes;

namespace Bridgekeeper.Storage;

/// <summary>
/// Writes an <see cref="AuditBatch"/> to PostgreSQL in one transaction: one binary <c>COPY … FROM STDIN</c> per table
/// straight into the (partitioned) audit tables, then one <c>UPDATE … FROM unnest</c> for ends. COPY is the fast path:
/// rows go in PostgreSQL's binary form and the server inserts them in bulk, without planning or a conflict check per row.
/// COPY cannot skip a row that exists, so a batch that meets one of its own rows (a retry after a commit whose
/// acknowledgement was lost, or an interception's start written again) fails with a unique violation, rolls back, and
/// is written again by the idempotent statements: one <c>INSERT … SELECT FROM unnest(array, …) ON CONFLICT</c> per
/// table, all in one round trip (<see cref="NpgsqlBatch"/>), so it still lands exactly once.
/// COPY goes straight into the tables, not through a staging table and <c>INSERT … SELECT … ON CONFLICT</c>: that would
/// write every row twice and create and drop temporary tables (catalog rows) for every batch, to handle a case
/// that only a retry meets (measured in bench/Ingest).
/// </summary>
internal static class PostgresBatchWriter
{
    /// <summary>Writes <paramref name="batch"/> in a transaction of its own: all of it or none of it.</summary>
    /// <exception cref="NpgsqlException">The database refused the batch (a missing interception, the server is gone, …).</exception>
    public static async Task WriteAsync(NpgsqlConnection connection, AuditBatch batch, CancellationToken cancellationToken)
    {
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            try
            {
                foreach (var rows in batch.Inserts)
                    await CopyAsync(connection, rows, cancellationToken);
                await ExecuteAsync(connection, transaction, [UpdateEnds(batch)], cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // Some of it is there already: roll back (disposing the transaction) and write it idempotently.
            }
        }
        await using var retry = await connection.BeginTransactionAsync(cancellationToken);
        await WriteIdempotentAsync(connection, retry, batch, cancellationToken);
        await retry.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The batch as idempotent statements, in one round trip inside <paramref name="transaction"/>: inserts that skip
    /// existing rows (an interception row repeated with its end takes the end), then the ends.
    /// </summary>
    private static Task WriteIdempotentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AuditBatch batch, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            [.. batch.Inserts.Select(rows => Statement(rows, AuditSql.Insert(rows.Table, "SELECT * FROM " + Unnest(rows.Table)))), UpdateEnds(batch)],
            cancellationToken);

    private static async Task CopyAsync(NpgsqlConnection connection, AuditRows rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
            return;
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {rows.Table.Name} ({rows.Table.ColumnList}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        var row = new CopyRow(rows.Table.Columns.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            rows.Write(i, row);
            await row.CopyAsync(importer, cancellationToken);
        }
        await importer.CompleteAsync(cancellationToken);
    }

    private static NpgsqlBatchCommand? UpdateEnds(AuditBatch batch) => Statement(batch.EndedInterceptions,
        AuditSql.UpdateEnds($"{Unnest(AuditBatch.Ends)} AS e (id, status, error, ended_at)", "e.id", "e.status", "e.error", "e.ended_at"));

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, NpgsqlBatchCommand?[] statements,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlBatch(connection, transaction);
        foreach (var statement in statements)
        {
            if (statement is not null)
                command.BatchCommands.Add(statement);
        }
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

    /// <summary>A statement over <paramref name="rows"/> with each column as one typed array parameter; null when there are no rows.</summary>
    private static NpgsqlBatchCommand? Statement(AuditRows rows, string sql)
    {
        if (rows.Count == 0)
            return null;
        var columns = new ColumnArrays(rows.Table, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            columns.NextRow();
            rows.Write(i, columns);
        }
        var command = new NpgsqlBatchCommand(sql);
        for (var i = 0; i < rows.Table.Columns.Count; i++)
            command.Parameters.Add(columns.Parameter(i));
        return command;
    }

    private static NpgsqlDbType DbType(AuditColumnType type) => type switch
    {
        AuditColumnType.Uuid => NpgsqlDbType.Uuid,
        AuditColumnType.Boolean => NpgsqlDbType.Boolean,
        AuditColumnType.Bigint => NpgsqlDbType.Bigint,
        AuditColumnType.Numeric => NpgsqlDbType.Numeric,
        AuditColumnType.Timestamp => NpgsqlDbType.TimestampTz,
        _ => NpgsqlDbType.Text,
    };

    /// <summary>One row's values, held typed until they are copied (so the copy can be awaited value by value).</summary>
    private sealed class CopyRow(int columns) : IAuditValues
    {
        private readonly Value[] _values = new Value[columns];
        private int _count;

        public void Uuid(Guid value) => _values[_count++] = new(AuditColumnType.Uuid, false, Guid: value);
        public void Text(string? value) => _values[_count++] = new(AuditColumnType.Text, value is null, Text: value);
        public void Boolean(bool value) => _values[_count++] = new(AuditColumnType.Boolean, false, Flag: value);
        public void Bigint(long? value) => _values[_count++] = new(AuditColumnType.Bigint, value is null, Number: value ?? 0);
        public void Numeric(decimal? value) => _values[_count++] = new(AuditColumnType.Numeric, value is null, Decimal: value ?? 0);
        public void Timestamp(DateTimeOffset? value) => _values[_count++] = new(AuditColumnType.Timestamp, value is null, At: value?.UtcDateTime ?? default);

        public async Task CopyAsync(NpgsqlBinaryImporter importer, CancellationToken cancellationToken)
        {
            await importer.StartRowAsync(cancellationToken);
            for (var i = 0; i < _count; i++)
            {
                var value = _values[i];
                var write = value.IsNull ? importer.WriteNullAsync(cancellationToken) : value.Type switch
                {
                    AuditColumnType.Uuid => importer.WriteAsync(value.Guid, NpgsqlDbType.Uuid, cancellationToken),
                    AuditColumnType.Boolean => importer.WriteAsync(value.Flag, NpgsqlDbType.Boolean, cancellationToken),
                    AuditColumnType.Bigint => importer.WriteAsync(value.Number, NpgsqlDbType.Bigint, cancellationToken),
                    AuditColumnType.Numeric => importer.WriteAsync(value.Decimal, NpgsqlDbType.Numeric, cancellationToken),
                    AuditColumnType.Timestamp => importer.WriteAsync(value.At, NpgsqlDbType.TimestampTz, cancellationToken),
                    _ => importer.WriteAsync(value.Text!, NpgsqlDbType.Text, cancellationToken),
                };
                await write;
            }
            Array.Clear(_values, 0, _count);   // drop the references to the batch's strings
            _count = 0;
        }

        private readonly record struct Value(AuditColumnType Type, bool IsNull, Guid Guid = default, string? Text = null, bool Flag = false,
            long Number = 0, decimal Decimal = 0, DateTime At = default);
    }

    /// <summary>A statement's rows as one typed list per column, each passed as one array parameter.</summary>
    private sealed class ColumnArrays(AuditTable table, int rows) : IAuditValues
    {
        private readonly IList[] _columns = [.. table.Columns.Select(c => c.Type switch
        {
            AuditColumnType.Uuid => (IList)new List<Guid>(rows),
            AuditColumnType.Boolean => new List<bool>(rows),
            AuditColumnType.Bigint => new List<long?>(rows),
            AuditColumnType.Numeric => new List<decimal?>(rows),
            AuditColumnType.Timestamp => new List<DateTime?>(rows),
            _ => new List<string?>(rows),
        })];
        private int _next;

        public void NextRow() => _next = 0;

        public void Uuid(Guid value) => ((List<Guid>)_columns[_next++]).Add(value);
        public void Text(string? value) => ((List<string?>)_columns[_next++]).Add(value);
        public void Boolean(bool value) => ((List<bool>)_columns[_next++]).Add(value);
        public void Bigint(long? value) => ((List<long?>)_columns[_next++]).Add(value);
        public void Numeric(decimal? value) => ((List<decimal?>)_columns[_next++]).Add(value);
        public void Timestamp(DateTimeOffset? value) => ((List<DateTime?>)_columns[_next++]).Add(value?.UtcDateTime);

        public NpgsqlParameter Parameter(int column) =>
            new() { NpgsqlDbType = NpgsqlDbType.Array | DbType(table.Columns[column].Type), Value = _columns[column] };
    }
}

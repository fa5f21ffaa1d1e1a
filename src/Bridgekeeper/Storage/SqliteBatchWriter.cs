using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Bridgekeeper.Storage;

/// <summary>
/// Writes an <see cref="AuditBatch"/> to SQLite inside the connection's open transaction: one statement per table,
/// prepared once per batch, then bound by position and stepped once per row. This goes below
/// <see cref="SqliteCommand"/> to the native handle (SQLitePCL, which Microsoft.Data.Sqlite is built on) because a
/// command binds every parameter by name on every execution and builds a data reader each time; under load that cost
/// more CPU than the SQLite inserts themselves (measured: the audit writer dominated the gateway's profile). Values are
/// stored exactly as <see cref="SqliteCommand"/> stored them: ids and timestamps as <see cref="SqlDialect.Sqlite"/> text,
/// flags as 0/1, decimals as invariant text (which the REAL column converts).
/// </summary>
internal static class SqliteBatchWriter
{
    /// <exception cref="SqliteException">The database refused a row (busy past its timeout, a constraint, I/O).</exception>
    public static void Write(SqliteConnection connection, AuditBatch batch)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        foreach (var rows in batch.Inserts)
            Execute(db, AuditSql.Insert(rows.Table, Values(rows.Table)), rows);
        Execute(db, AuditSql.UpdateEnds(null, "?1", "?2", "?3", "?4"), batch.EndedInterceptions);
    }

    /// <summary><c>VALUES (?1, ?2, …)</c> over the table's columns.</summary>
    private static string Values(AuditTable table) =>
        "VALUES (" + string.Join(", ", table.Columns.Select((_, i) => $"?{i + 1}")) + ")";

    private static void Execute(sqlite3 db, string sql, AuditRows rows)
    {
        if (rows.Count == 0)
            return;
        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        using (statement)
        {
            foreach (var row in rows.Rows)
            {
                for (var i = 0; i < row.Length; i++)
                    Check(db, Bind(statement, i + 1, row[i]));
                var result = raw.sqlite3_step(statement);
                if (result != raw.SQLITE_DONE)
                {
                    raw.sqlite3_reset(statement);
                    SqliteException.ThrowExceptionForRC(result, db);
                }
                Check(db, raw.sqlite3_reset(statement));
            }
        }
    }

    private static int Bind(sqlite3_stmt statement, int index, object? value) => value switch
    {
        null => raw.sqlite3_bind_null(statement, index),
        string text => raw.sqlite3_bind_text(statement, index, text),
        Guid id => raw.sqlite3_bind_text(statement, index, (string)SqlDialect.Sqlite.Id(id)),
        DateTimeOffset at => raw.sqlite3_bind_text(statement, index, (string)SqlDialect.Sqlite.Timestamp(at)),
        bool flag => raw.sqlite3_bind_int(statement, index, flag ? 1 : 0),
        long number => raw.sqlite3_bind_int64(statement, index, number),
        decimal number => raw.sqlite3_bind_text(statement, index, number.ToString(CultureInfo.InvariantCulture)),
        _ => throw new ArgumentException($"An audit column cannot hold a {value.GetType().Name}.", nameof(value)),
    };

    private static void Check(sqlite3 db, int result)
    {
        if (result != raw.SQLITE_OK)
            SqliteException.ThrowExceptionForRC(result, db);
    }
}

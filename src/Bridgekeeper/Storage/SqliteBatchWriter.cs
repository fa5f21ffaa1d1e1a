using System.Globalization;
using System.Text;
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
/// flags as 0/1, decimals as invariant text (which the REAL column converts). Values arrive typed (no boxing) and text
/// is encoded to UTF-8 into one reused buffer, which SQLite copies when it binds (no string or array per value).
/// </summary>
internal static class SqliteBatchWriter
{
    /// <exception cref="SqliteException">The database refused a row (busy past its timeout, a constraint, I/O).</exception>
    public static void Write(SqliteConnection connection, AuditBatch batch)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        var binder = new Binder(db);
        foreach (var rows in batch.Inserts)
            Execute(binder, AuditSql.Insert(rows.Table, Values(rows.Table)), rows);
        Execute(binder, AuditSql.UpdateEnds(null, "?1", "?2", "?3", "?4"), batch.EndedInterceptions);
    }

    /// <summary><c>VALUES (?1, ?2, …)</c> over the table's columns.</summary>
    private static string Values(AuditTable table) =>
        "VALUES (" + string.Join(", ", table.Columns.Select((_, i) => $"?{i + 1}")) + ")";

    private static void Execute(Binder binder, string sql, AuditRows rows)
    {
        if (rows.Count == 0)
            return;
        var db = binder.Db;
        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        using (statement)
        {
            for (var row = 0; row < rows.Count; row++)
            {
                binder.Start(statement);
                rows.Write(row, binder);
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

    private static void Check(sqlite3 db, int result)
    {
        if (result != raw.SQLITE_OK)
            SqliteException.ThrowExceptionForRC(result, db);
    }

    /// <summary>Binds one row's values to the next positions of a statement.</summary>
    private sealed class Binder(sqlite3 db) : IAuditValues
    {
        private byte[] _utf8 = new byte[1024];
        private sqlite3_stmt _statement = null!;
        private int _index;

        public sqlite3 Db { get; } = db;

        public void Start(sqlite3_stmt statement)
        {
            _statement = statement;
            _index = 0;
        }

        public void Uuid(Guid value)
        {
            Span<byte> text = stackalloc byte[36];
            value.TryFormat(text, out var length, "D");
            BindText(text[..length]);
        }

        public void Text(string? value)
        {
            if (value is null)
            {
                Null();
                return;
            }
            if (_utf8.Length < Encoding.UTF8.GetMaxByteCount(value.Length))
                _utf8 = new byte[Math.Max(_utf8.Length * 2, Encoding.UTF8.GetMaxByteCount(value.Length))];
            BindText(_utf8.AsSpan(0, Encoding.UTF8.GetBytes(value, _utf8)));
        }

        public void Boolean(bool value) => Check(Db, raw.sqlite3_bind_int(_statement, ++_index, value ? 1 : 0));

        public void Bigint(long? value)
        {
            if (value is { } number)
                Check(Db, raw.sqlite3_bind_int64(_statement, ++_index, number));
            else
                Null();
        }

        public void Numeric(decimal? value)
        {
            if (value is not { } number)
            {
                Null();
                return;
            }
            Span<byte> text = stackalloc byte[64];
            number.TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
            BindText(text[..length]);
        }

        public void Timestamp(DateTimeOffset? value)
        {
            if (value is not { } at)
            {
                Null();
                return;
            }
            Span<byte> text = stackalloc byte[32];
            at.UtcDateTime.TryFormat(text, out var length, SqlDialect.SqliteTimestampFormat, CultureInfo.InvariantCulture);
            BindText(text[..length]);
        }

        private void Null() => Check(Db, raw.sqlite3_bind_null(_statement, ++_index));

        /// <summary>SQLitePCL binds a span with <c>SQLITE_TRANSIENT</c>: SQLite copies it, so the buffer is free again at once.</summary>
        private void BindText(ReadOnlySpan<byte> utf8) => Check(Db, raw.sqlite3_bind_text(_statement, ++_index, utf8));
    }
}

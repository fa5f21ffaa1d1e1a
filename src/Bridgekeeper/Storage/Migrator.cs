using System.Data.Common;
using System.Reflection;

namespace Bridgekeeper.Storage;

/// <summary>
/// Applies the plain SQL files embedded under <c>Migrations/{dialect}/NNNN_name.sql</c>, in order, each in its
/// own transaction, and notes each applied version in <c>schema_migrations</c>. On PostgreSQL the whole run holds a
/// session advisory lock, so replicas starting together migrate one after another (the later ones find nothing to
/// do), and it ends by creating the audit tables' month partitions ahead (<see cref="PostgresPartitions"/>).
/// </summary>
internal sealed class Migrator(Database database, TimeProvider? time = null)
{
    /// <summary>
    /// The <c>pg_advisory_lock</c> key of a migration run: a constant per schema (replicas of one deployment share it;
    /// deployments in different schemas of one database do not wait for each other).
    /// </summary>
    public const string AdvisoryLockKey = "hashtextextended('bridgekeeper-migrations/' || coalesce(current_schema(), ''), 0)";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<int> ApplyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var postgres = database.Dialect == SqlDialect.Postgres;
        if (!postgres)
            return await ApplyPendingAsync(connection, cancellationToken);

        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        try
        {
            var count = await ApplyPendingAsync(connection, cancellationToken);
            await PostgresPartitions.EnsureAsync(connection, _time.GetUtcNow(), cancellationToken);
            return count;
        }
        finally
        {
            // The connection goes back to the pool, so release the session lock explicitly (a broken connection drops it anyway).
            if (connection.State == System.Data.ConnectionState.Open)
                await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    /// <summary>The number of the newest migration shipped for this dialect; <c>/readyz</c> compares against it.</summary>
    public int LatestVersion => Load(database.Dialect.MigrationFolder).Select(m => m.Version).DefaultIfEmpty(0).Max();

    private async Task<int> ApplyPendingAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, database.Dialect == SqlDialect.Postgres
            ? "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)"
            : "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
            cancellationToken);

        var applied = new HashSet<int>();
        await using (var query = connection.CreateCommand())
        {
            query.CommandText = "SELECT version FROM schema_migrations";
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                applied.Add(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        }

        var count = 0;
        foreach (var (version, name, sql) in Load(database.Dialect.MigrationFolder))
        {
            if (applied.Contains(version))
                continue;
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var apply = connection.CreateCommand())
            {
                apply.Transaction = transaction;
                apply.CommandText = sql;
                await apply.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var note = connection.CreateCommand())
            {
                note.Transaction = transaction;
                note.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)";
                note.AddParameter("version", version);
                note.AddParameter("name", name);
                note.AddParameter("at", database.Dialect.Timestamp(_time.GetUtcNow()));
                await note.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            count++;
        }
        return count;
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static IEnumerable<(int Version, string Name, string Sql)> Load(string folder)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var prefix = $"Migrations/{folder}/";
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = resource[prefix.Length..^".sql".Length];
            var version = int.Parse(name[..name.IndexOf('_', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            yield return (version, name, reader.ReadToEnd());
        }
    }
}

using System.Reflection;

namespace Bridgekeeper.Storage;

/// <summary>
/// Applies the plain SQL files embedded under <c>Migrations/{dialect}/NNNN_name.sql</c>, in order, each in its
/// own transaction, and notes each applied version in <c>schema_migrations</c>.
/// </summary>
internal sealed class Migrator(Database database)
{
    public async Task<int> ApplyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

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
                note.AddParameter("at", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                await note.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            count++;
        }
        return count;
    }

    /// <summary>The number of the newest migration shipped for this dialect; <c>/readyz</c> compares against it.</summary>
    public int LatestVersion => Load(database.Dialect.MigrationFolder).Select(m => m.Version).DefaultIfEmpty(0).Max();

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

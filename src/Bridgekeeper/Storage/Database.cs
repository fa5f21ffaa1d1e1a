using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Bridgekeeper.Storage;

/// <summary>
/// The database the gateway and the CLI use: one <see cref="DbDataSource"/> and its <see cref="SqlDialect"/>.
/// SQLite runs in WAL mode with a busy timeout, so readers never block the audit writer.
/// </summary>
internal sealed class Database(DbDataSource dataSource, SqlDialect dialect, string description) : IAsyncDisposable
{
    public DbDataSource DataSource { get; } = dataSource;
    public SqlDialect Dialect { get; } = dialect;

    /// <summary>Where the data lives, without credentials (safe to log).</summary>
    public string Description { get; } = description;

    /// <summary>Builds the database from the <c>database</c> setting (a SQLite path; PostgreSQL arrives with issue 5).</summary>
    public static Database Open(string setting)
    {
        if (setting.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || setting.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            || setting.Contains("Host=", StringComparison.OrdinalIgnoreCase))
            throw new SettingsException("database", "PostgreSQL is not supported by this build yet; use a SQLite file path.");

        var path = Path.GetFullPath(setting);
        var folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder))
            Directory.CreateDirectory(folder);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 5,
        }.ToString();
        return new Database(SqliteFactory.Instance.CreateDataSource(connectionString), SqlDialect.Sqlite, path);
    }

    public async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        if (connection is SqliteConnection)
        {
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }
        return connection;
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}

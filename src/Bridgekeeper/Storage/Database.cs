using System.Data.Common;
using Bridgekeeper.Settings;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bridgekeeper.Storage;

/// <summary>
/// The database the gateway and the CLI use: one <see cref="DbDataSource"/> and its <see cref="SqlDialect"/>.
/// SQLite runs in WAL mode with a busy timeout, so readers never block the audit writer. PostgreSQL is an
/// <see cref="NpgsqlDataSource"/> (its own connection pool), shared by every replica of the gateway.
/// </summary>
internal sealed class Database(DbDataSource dataSource, SqlDialect dialect, string description) : IAsyncDisposable
{
    public DbDataSource DataSource { get; } = dataSource;
    public SqlDialect Dialect { get; } = dialect;

    /// <summary>The setting that names the database, as <see cref="SettingsException"/>s call it.</summary>
    public const string Setting = "database";

    /// <summary>Where the data lives, without credentials (safe to log).</summary>
    public string Description { get; } = description;

    /// <summary>
    /// Builds the database from the <c>database</c> setting: a <c>postgres://user:pass@host:port/db?option=value</c> URL
    /// or an Npgsql connection string (<c>Host=…;Database=…</c>) for PostgreSQL; anything else is a SQLite file path.
    /// </summary>
    public static Database Open(string setting)
    {
        if (IsPostgres(setting))
            return OpenPostgres(setting);

        var path = Path.GetFullPath(setting);
        try
        {
            var folder = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(folder))
                Directory.CreateDirectory(folder);
            // Mode 600 from the start; SQLite gives the -wal and -shm files the database file's mode.
            PrivateFiles.EnsureExists(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingsException(Setting, $"cannot create the SQLite database '{path}': {e.Message}");
        }
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

    /// <summary>
    /// The first connection and the migrations (<see cref="Migrator"/>). A database that cannot be reached, opened or
    /// migrated (PostgreSQL down or refusing the login, a SQLite file that is not a database) throws
    /// <see cref="SettingsException"/> naming the setting, so the operator gets one line, not a stack trace.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await new Migrator(this).ApplyAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbException or IOException or UnauthorizedAccessException or TimeoutException)
        {
            var cause = e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal) ? $" ({inner.Message})" : "";
            throw new SettingsException(Setting, $"cannot open {Description}: {e.Message}{cause}");
        }
    }

    /// <summary>True when the setting names a PostgreSQL database rather than a SQLite file.</summary>
    public static bool IsPostgres(string setting) =>
        setting.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || setting.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || setting.Contains("Host=", StringComparison.OrdinalIgnoreCase)
        || setting.Contains("Server=", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Npgsql connection string for a URL or connection-string setting.</summary>
    /// <exception cref="SettingsException">The setting is not a valid URL or connection string.</exception>
    public static NpgsqlConnectionStringBuilder PostgresConnectionString(string setting)
    {
        try
        {
            return setting.Contains("://", StringComparison.Ordinal) ? FromUrl(setting) : new NpgsqlConnectionStringBuilder(setting);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or UriFormatException or KeyNotFoundException)
        {
            throw new SettingsException(Setting, $"is not a valid PostgreSQL URL or connection string ({exception.Message}).");
        }
    }

    /// <summary><c>postgres://user@host:port/db</c>: the password and options left out.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder)
    {
        var user = string.IsNullOrEmpty(builder.Username) ? "" : Uri.EscapeDataString(builder.Username) + "@";
        return $"postgres://{user}{builder.Host}:{builder.Port}/{builder.Database}";
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

    private static Database OpenPostgres(string setting)
    {
        var builder = PostgresConnectionString(setting);
        if (string.IsNullOrEmpty(builder.Host))
            throw new SettingsException(Setting, "names no PostgreSQL host.");
        if (string.IsNullOrEmpty(builder.Database))
            throw new SettingsException(Setting, "names no PostgreSQL database.");
        builder.ApplicationName ??= "bridgekeeper";
        var dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        return new Database(dataSource, SqlDialect.Postgres, Describe(builder));
    }

    /// <summary>
    /// <c>postgres[ql]://[user[:password]@]host[:port]/database[?key=value&amp;…]</c>; query keys are Npgsql connection
    /// string keywords (<c>sslmode</c>, <c>Maximum Pool Size</c>, …).
    /// </summary>
    private static NpgsqlConnectionStringBuilder FromUrl(string setting)
    {
        var uri = new Uri(setting);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString((equals < 0 ? pair : pair[..equals]).Replace('+', ' '));
            builder[key] = equals < 0 ? "true" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
        }
        return builder;
    }
}

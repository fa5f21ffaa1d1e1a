using Bridgekeeper.Storage;
using Npgsql;

namespace Bridgekeeper.Tests.Storage;

/// <summary>
/// The PostgreSQL server the tests use, when <c>BRIDGEKEEPER_TEST_DATABASE=postgres</c>: test.sh starts one and exports
/// its URL as <c>BRIDGEKEEPER_TEST_POSTGRES</c>. Each test gets a schema of its own (<c>bk_…</c>, first on the search
/// path), so tests stay parallel and isolated; a schema costs milliseconds where a database costs most of a second.
/// Shared by the unit and end-to-end test projects.
/// </summary>
internal static class TestPostgres
{
    public const string DatabaseVariable = "BRIDGEKEEPER_TEST_DATABASE";
    public const string ServerVariable = "BRIDGEKEEPER_TEST_POSTGRES";

    /// <summary><c>pg_ctl -D …</c> for the test server (set by test.sh), for tests that stop and restart it.</summary>
    public const string PgCtlVariable = "BRIDGEKEEPER_TEST_PG_CTL";

    /// <summary>True when this run's tests use PostgreSQL rather than SQLite.</summary>
    public static bool Selected =>
        string.Equals(Environment.GetEnvironmentVariable(DatabaseVariable), "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The server's URL (its maintenance database); fails loudly when PostgreSQL was selected but not provided.</summary>
    public static string ServerUrl => Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } url
        ? url
        : throw new InvalidOperationException($"{DatabaseVariable}=postgres needs {ServerVariable}=postgres://user@host:port/db (test.sh sets both).");

    /// <summary>Creates an empty schema and returns the URL (the <c>database</c> setting) whose search path is that schema.</summary>
    public static async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var name = "bk_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync($"CREATE SCHEMA {name}", cancellationToken);
        return new UriBuilder(ServerUrl) { Query = "Search%20Path=" + name }.Uri.AbsoluteUri;
    }

    /// <summary>Drops a schema made by <see cref="CreateDatabaseAsync"/> with everything in it.</summary>
    public static async Task DropDatabaseAsync(string url)
    {
        var name = Database.PostgresConnectionString(url).SearchPath;
        if (name is null || !name.StartsWith("bk_", StringComparison.Ordinal))
            throw new ArgumentException($"'{name}' is not a test schema.", nameof(url));
        await ExecuteAsync($"DROP SCHEMA IF EXISTS {name} CASCADE", CancellationToken.None);
    }

    private static async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        var builder = Database.PostgresConnectionString(ServerUrl);
        builder.Pooling = false;
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

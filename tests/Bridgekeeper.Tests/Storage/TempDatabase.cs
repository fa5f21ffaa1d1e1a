using Bridgekeeper.Storage;
using Microsoft.Data.Sqlite;

namespace Bridgekeeper.Tests.Storage;

/// <summary>
/// A migrated database of its own, removed on dispose: a SQLite file in a temp directory, or, when
/// <c>BRIDGEKEEPER_TEST_DATABASE=postgres</c>, a fresh PostgreSQL database (<see cref="TestPostgres"/>).
/// </summary>
internal sealed class TempDatabase : IAsyncDisposable
{
    private readonly string? _postgresUrl;

    private TempDatabase(string directory, Database database, string? postgresUrl)
    {
        Directory = directory;
        Database = database;
        _postgresUrl = postgresUrl;
    }

    /// <summary>A temp directory of this database's own (the SQLite file lives there).</summary>
    public string Directory { get; }

    /// <summary>The <c>database</c> setting that opens this database: the SQLite file, or the PostgreSQL URL.</summary>
    public string Path => _postgresUrl ?? System.IO.Path.Combine(Directory, "bridgekeeper.db");

    public Database Database { get; }

    public bool IsPostgres => _postgresUrl is not null;

    public static async Task<TempDatabase> CreateAsync(CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "bk-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var postgresUrl = TestPostgres.Selected ? await TestPostgres.CreateDatabaseAsync(cancellationToken) : null;
        var database = Database.Open(postgresUrl ?? System.IO.Path.Combine(directory, "bridgekeeper.db"));
        await new Migrator(database).ApplyAsync(cancellationToken);
        return new TempDatabase(directory, database, postgresUrl);
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        if (_postgresUrl is not null)
            await TestPostgres.DropDatabaseAsync(_postgresUrl);
        else
            SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere is left for the OS to clean up; the test result does not depend on it.
        }
    }
}

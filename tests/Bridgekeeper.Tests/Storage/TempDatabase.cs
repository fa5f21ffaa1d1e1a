using Bridgekeeper.Storage;
using Microsoft.Data.Sqlite;

namespace Bridgekeeper.Tests.Storage;

/// <summary>A migrated SQLite database in its own temp directory, deleted on dispose.</summary>
internal sealed class TempDatabase : IAsyncDisposable
{
    private TempDatabase(string directory, Database database)
    {
        Directory = directory;
        Database = database;
    }

    public string Directory { get; }
    public string Path => System.IO.Path.Combine(Directory, "bridgekeeper.db");
    public Database Database { get; }

    public static async Task<TempDatabase> CreateAsync(CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "bk-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var database = Database.Open(System.IO.Path.Combine(directory, "bridgekeeper.db"));
        await new Migrator(database).ApplyAsync(cancellationToken);
        return new TempDatabase(directory, database);
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
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

using Bridgekeeper.MockUpstream;
using Bridgekeeper.Tests.Storage;
using Microsoft.Data.Sqlite;

namespace Bridgekeeper.EndToEndTests.Infrastructure;

/// <summary>
/// A mock upstream, a temp folder and one database (a SQLite file in the folder, or a fresh PostgreSQL database when
/// the run is on PostgreSQL) that the test's gateways share: several replicas, or one real executable killed and
/// started again. Dropped and deleted afterwards.
/// </summary>
public abstract class SharedDatabaseTest(string folderPrefix) : IAsyncLifetime
{
    private protected MockUpstreamServer Upstream { get; private set; } = null!;
    private protected string Folder { get; private set; } = null!;

    /// <summary>The <c>--database</c> setting of every gateway of the test.</summary>
    private protected string DatabaseSetting { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        Upstream = await MockUpstreamServer.StartAsync(new MockUpstreamOptions { CaptureExchanges = false }, ct);
        Folder = Directory.CreateTempSubdirectory(folderPrefix).FullName;
        DatabaseSetting = TestPostgres.Selected ? await TestPostgres.CreateDatabaseAsync(ct) : Path.Combine(Folder, "bk.db");
    }

    public async ValueTask DisposeAsync()
    {
        await Upstream.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (TestPostgres.Selected)
            await TestPostgres.DropDatabaseAsync(DatabaseSetting);
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}

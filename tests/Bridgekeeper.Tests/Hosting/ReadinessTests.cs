using Bridgekeeper.Hosting;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Bridgekeeper.Tests.Hosting;

public sealed class ReadinessTests
{
    [Fact]
    public async Task Check_PostgresNobodyListensOn_AnswersDatabaseUnreachableWithoutTheExceptionAndLogsItOnce()
    {
        await using var database = Database.Open("postgres://probe-user:s3cret-pw@127.0.0.1:1/secret_db");
        var logger = new FakeLogger<Readiness>();
        var readiness = new Readiness(database, new Migrator(database), logger);

        var answers = new List<(int, string)>();
        for (var i = 0; i < 3; i++)
            answers.Add(await RunAsync(readiness));

        Assert.Equal(Enumerable.Repeat((503, Readiness.Unreachable), 3), answers);
        Assert.Equal("database unreachable\n", Readiness.Unreachable);
        var logged = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.IsAssignableFrom<System.Data.Common.DbException>(logged.Exception);
        Assert.Contains("127.0.0.1", logged.Exception!.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_MigrationsTableGoneThenBack_Answers503Then200AndLogsEachChangeOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var logger = new FakeLogger<Readiness>();
        var readiness = new Readiness(temp.Database, new Migrator(temp.Database), logger);

        var before = await RunAsync(readiness);
        await ExecuteAsync(temp.Database, "ALTER TABLE schema_migrations RENAME TO schema_migrations_hidden", ct);
        var gone = new[] { await RunAsync(readiness), await RunAsync(readiness) };
        await ExecuteAsync(temp.Database, "ALTER TABLE schema_migrations_hidden RENAME TO schema_migrations", ct);
        var back = new[] { await RunAsync(readiness), await RunAsync(readiness) };
        await ExecuteAsync(temp.Database, "ALTER TABLE schema_migrations RENAME TO schema_migrations_hidden", ct);
        var goneAgain = await RunAsync(readiness);

        Assert.Equal((200, "ready\n"), before);
        Assert.Equal([(503, Readiness.Unreachable), (503, Readiness.Unreachable)], gone);
        Assert.Equal([(200, "ready\n"), (200, "ready\n")], back);
        Assert.Equal((503, Readiness.Unreachable), goneAgain);
        var log = logger.Collector.GetSnapshot();
        Assert.Equal([LogLevel.Warning, LogLevel.Information, LogLevel.Warning], log.Select(l => l.Level));
        Assert.All([log[0], log[2]], l => Assert.Contains("schema_migrations", l.Exception?.Message, StringComparison.Ordinal));
        Assert.Null(log[1].Exception);
    }

    private static async Task<(int Status, string Body)> RunAsync(Readiness readiness)
    {
        var context = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider(),
            Response = { Body = new MemoryStream() },
        };
        var result = await readiness.CheckAsync(TestContext.Current.CancellationToken);
        await result.ExecuteAsync(context);
        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, await new StreamReader(context.Response.Body).ReadToEndAsync(TestContext.Current.CancellationToken));
    }

    private static async Task ExecuteAsync(Database database, string sql, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }
}

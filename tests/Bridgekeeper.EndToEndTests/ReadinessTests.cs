using System.Net;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests;

/// <summary><c>/readyz</c> on the real gateway says <c>database unreachable</c> and nothing else; the reason goes to the log, once.</summary>
public sealed class ReadinessTests : GatewayTest
{
    [Fact]
    public async Task Readyz_DatabaseFailing_AnswersOnlyDatabaseUnreachableAndLogsTheExceptionOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(key: null);
        var before = await GetAsync(client, ct);
        await ExecuteAsync("ALTER TABLE schema_migrations RENAME TO schema_migrations_hidden", ct);

        var failing = new[] { await GetAsync(client, ct), await GetAsync(client, ct), await GetAsync(client, ct) };
        await ExecuteAsync("ALTER TABLE schema_migrations_hidden RENAME TO schema_migrations", ct);
        var after = await GetAsync(client, ct);

        Assert.Equal((HttpStatusCode.OK, "ready\n"), before);
        Assert.Equal(Enumerable.Repeat((HttpStatusCode.ServiceUnavailable, "database unreachable\n"), 3), failing);
        Assert.Equal((HttpStatusCode.OK, "ready\n"), after);
        var warning = Assert.Single(Gateway.Logs.Lines, l => l.StartsWith("Warning Bridgekeeper.Hosting.Readiness:", StringComparison.Ordinal));
        Assert.Contains("schema_migrations", warning, StringComparison.Ordinal);
        Assert.Single(Gateway.Logs.Lines, l => l.StartsWith("Information Bridgekeeper.Hosting.Readiness:", StringComparison.Ordinal)
            && l.Contains("reachable again", StringComparison.Ordinal));
    }

    private static async Task<(HttpStatusCode, string)> GetAsync(HttpClient client, CancellationToken ct)
    {
        using var response = await client.GetAsync("/readyz", ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    private async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        await using var connection = await Gateway.App.Database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }
}

using System.Net;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Tests.Storage;

namespace Bridgekeeper.EndToEndTests.Hardening;

/// <summary>
/// What no handler expected still gets an answer in the caller's shape, never an empty 500: here the database's schema
/// breaks under the running gateway, so its queries throw.
/// </summary>
public sealed class LastResortTests : GatewayTest
{
    [Fact]
    public async Task DatabaseBrokenUnderTheGateway_ApiAnswers503InItsShape_ProviderRoutesInTheirs()
    {
        Assert.SkipWhen(TestPostgres.Selected, "Breaks the SQLite schema; PostgresDurabilityTests stops the PostgreSQL server instead.");
        var ct = TestContext.Current.CancellationToken;
        var cached = await Gateway.CreateKeyAsync("quinn", Auth.Roles.Admin);
        using var client = Gateway.CreateClient(cached);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me", ct)).StatusCode);
        var fresh = await Gateway.CreateKeyAsync("rosa");

        await using (var operatorMistake = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Gateway.DatabasePath}"))
        {
            await operatorMistake.OpenAsync(ct);              // the schema breaks under the gateway (say, a wrong restore)
            await using var rename = operatorMistake.CreateCommand();
            rename.CommandText = "ALTER TABLE interceptions RENAME TO interceptions_gone; ALTER TABLE api_keys RENAME TO api_keys_gone;";
            await rename.ExecuteNonQueryAsync(ct);
        }

        using var list = await client.GetAsync("/api/v1/interceptions", ct);
        using var models = await Gateway.CreateClient(fresh).GetAsync("/openai/v1/models", ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, list.StatusCode);
        var error = JsonDocument.Parse(await list.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("error");
        Assert.Equal("unavailable", error.GetProperty("code").GetString());
        Assert.DoesNotContain("SQLite", error.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, models.StatusCode);
        BadInputTests.AssertProviderError(await models.Content.ReadAsStringAsync(ct), "openai", "overloaded_error");
    }
}

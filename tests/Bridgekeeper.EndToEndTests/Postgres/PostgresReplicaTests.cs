using System.Net;
using Bridgekeeper.Auth;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.MockUpstream;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Bridgekeeper.EndToEndTests.Postgres;

/// <summary>Two gateway replicas on one PostgreSQL database. Skipped on SQLite runs.</summary>
public sealed class PostgresReplicaTests : IAsyncLifetime
{
    private const string Chat = """{"model":"gpt-4o","messages":[{"role":"user","content":"replica?"}]}""";
    private const string Messages = """{"model":"claude-haiku-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"replica?"}]}""";
    private MockUpstreamServer _upstream = null!;

    public async ValueTask InitializeAsync() =>
        _upstream = await MockUpstreamServer.StartAsync(new MockUpstreamOptions(), TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task TwoReplicas_TrafficToBoth_EveryRecordLandsOnce_AndRevocationReachesTheOther()
    {
        Assert.SkipUnless(TestPostgres.Selected, "PostgreSQL only (BRIDGEKEEPER_TEST_DATABASE=postgres).");
        var ct = TestContext.Current.CancellationToken;
        await using var first = await GatewayUnderTest.StartAsync(_upstream);
        await using var second = await GatewayUnderTest.StartAsync(_upstream,
            s => s with { Database = first.Settings.Database, SecretKey = first.Settings.SecretKey }, adminKey: first.AdminKey);
        var key = await first.CreateKeyAsync("ivan");
        using var toFirst = first.CreateClient(key);
        using var toSecond = second.CreateClient(key);

        var sends = Enumerable.Range(0, 40).Select(async i =>
        {
            var client = i % 2 == 0 ? toFirst : toSecond;
            using var response = i % 4 < 2
                ? await client.SendAsync(Wire.Post("/openai/v1/chat/completions", Chat, ("x-mock-usage", $"input={1000 + i},output=1")), ct)
                : await client.SendAsync(Wire.Post("/anthropic/v1/messages", Messages, ("x-mock-usage", $"input={1000 + i},output=1")), ct);
            await response.Content.ReadAsStringAsync(ct);
            return response.StatusCode;
        });
        Assert.All(await Task.WhenAll(sends), status => Assert.Equal(HttpStatusCode.OK, status));

        await first.WaitForEndedAsync(expected: 40);
        var fromSecond = await second.ListInterceptionsAsync();
        Assert.Equal(40, fromSecond.Count);
        Assert.Equal(40, fromSecond.Select(i => i.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(Enumerable.Range(1000, 40).Select(i => (long)i), fromSecond
            .Select(i => Assert.Single(i.GetProperty("token_usages").EnumerateArray()).GetProperty("input_tokens").GetInt64()).Order());
        Assert.All(fromSecond, i => Assert.Single(i.GetProperty("prompts").EnumerateArray()));

        // Revoked through the first replica: refused there at once, and by the second once its key cache expires.
        var owner = await first.App.App.Services.GetRequiredService<UserStore>().FindKeyAsync(ApiKey.Hash(key), ct);
        using (var admin = first.CreateClient(first.AdminKey))
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/keys/{owner!.KeyId}", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(toFirst, ct));
        var revokedAt = DateTime.UtcNow;
        while (await StatusAsync(toSecond, ct) == HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow - revokedAt < KeyAuthenticator.CacheTtl + TimeSpan.FromSeconds(3), "the second replica still accepts the revoked key");
            await Task.Delay(200, ct);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(toSecond, ct));

        // Both replicas started their hourly retention job on this database; this hour's run went to exactly one of them,
        // and neither may run it again within the hour.
        Assert.Equal(1, first.Logs.Lines.Concat(second.Logs.Lines).Count(l => l.Contains("Retention removed", StringComparison.Ordinal)));
        Assert.Null(await first.App.App.Services.GetRequiredService<Bridgekeeper.Recording.RetentionService>().RunOnceAsync(ct));
        Assert.Null(await second.App.App.Services.GetRequiredService<Bridgekeeper.Recording.RetentionService>().RunOnceAsync(ct));
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, CancellationToken ct)
    {
        using var response = await client.SendAsync(Wire.Post("/openai/v1/chat/completions", Chat), ct);
        return response.StatusCode;
    }
}

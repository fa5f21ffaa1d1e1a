using System.Net;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests.Hardening;

/// <summary>
/// A stored response (OpenAI Responses) belongs to the user who created it: nobody else can read it or continue it with
/// the gateway's key, and what they are told is what OpenAI says of an id that does not exist. The owner is known to
/// this replica at once and to any other replica from the audit trail.
/// </summary>
public sealed class ResponseOwnershipTests : GatewayTest
{
    private const string Create = """{"model":"gpt-5","input":"remember the number 42"}""";

    private static string Continue(string previous) => $$"""{"model":"gpt-5","previous_response_id":"{{previous}}","input":"what was it?"}""";

    [Fact]
    public async Task OthersStoredResponse_CannotBeReadOrContinued_TheOwnerCan()
    {
        var ct = TestContext.Current.CancellationToken;
        using var alice = Gateway.CreateClient(await Gateway.CreateKeyAsync("alice"));
        using var bob = Gateway.CreateClient(await Gateway.CreateKeyAsync("bob"));
        var id = await CreateAsync(alice);
        var before = Upstream.Exchanges.Count;

        using var read = await bob.GetAsync($"/openai/v1/responses/{id}", ct);
        using var continued = await bob.SendAsync(Wire.Post("/openai/v1/responses", Continue(id)), ct);

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal($"Response with id '{id}' not found.", Error(await read.Content.ReadAsStringAsync(ct)).GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, continued.StatusCode);
        var error = Error(await continued.Content.ReadAsStringAsync(ct));
        Assert.Equal($"Previous response with id '{id}' not found.", error.GetProperty("message").GetString());
        Assert.Equal("previous_response_not_found", error.GetProperty("code").GetString());
        Assert.Equal(before, Upstream.Exchanges.Count);
        var refused = await Gateway.WaitForEndedAsync(i => i.GetProperty("user").GetProperty("name").GetString() == "bob");
        Assert.Equal("failed", refused.GetProperty("status").GetString());
        Assert.StartsWith($"not_owner: previous_response_id '{id}'", refused.GetProperty("error").GetString());

        using var own = await alice.GetAsync($"/openai/v1/responses/{id}", ct);
        using var next = await alice.SendAsync(Wire.Post("/openai/v1/responses", Continue(id)), ct);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(id, JsonDocument.Parse(await own.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task AnotherReplica_KnowsTheOwnerFromTheAuditTrail()
    {
        var ct = TestContext.Current.CancellationToken;
        var aliceKey = await Gateway.CreateKeyAsync("alice");
        var bobKey = await Gateway.CreateKeyAsync("bob");
        var id = await CreateAsync(Gateway.CreateClient(aliceKey));
        await Gateway.WaitForEndedAsync();
        await using var replica = await GatewayUnderTest.StartAsync(Upstream, s => s with { Database = Gateway.Settings.Database, SecretKey = Gateway.Settings.SecretKey },
            adminKey: Gateway.AdminKey);

        using var asAlice = await replica.CreateClient(aliceKey).GetAsync($"/openai/v1/responses/{id}", ct);
        using var asBob = await replica.CreateClient(bobKey).GetAsync($"/openai/v1/responses/{id}", ct);

        Assert.Equal(HttpStatusCode.OK, asAlice.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, asBob.StatusCode);
    }

    [Theory]
    [InlineData("resp_0123456789abcdef0123456789abcdef")]
    [InlineData("chatcmpl-made-up")]
    public async Task UnknownId_IsNotFoundAndNeverReachesTheUpstream(string id)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("carol"));

        using var read = await client.GetAsync($"/openai/v1/responses/{id}", ct);
        using var continued = await client.SendAsync(Wire.Post("/openai/v1/responses", Continue(id)), ct);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.BadRequest), (read.StatusCode, continued.StatusCode));
        Assert.Empty(Upstream.Exchanges);
    }

    private async Task<string> CreateAsync(HttpClient client)
    {
        using var response = await client.SendAsync(Wire.Post("/openai/v1/responses", Create), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("id").GetString()!;
    }

    private static JsonElement Error(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error");
}

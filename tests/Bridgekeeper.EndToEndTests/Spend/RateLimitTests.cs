using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests.Spend;

/// <summary>
/// Rate limits through the public surface: set with the REST API on a user or a key, held by the provider routes as
/// token buckets of a minute's allowance, refused with a 429 in the provider's shape that says which limit and when to
/// retry, every refusal recorded; tokens per minute charge the input estimate at admission and the actual tokens when
/// the request ends.
/// </summary>
public sealed class RateLimitTests : GatewayTest
{
    [Fact]
    public async Task UserRpm_AdmitsAMinutesAllowance_ThenRefusesWith429InEachProvidersShape_AndRecordsTheRefusals()
    {
        var ct = TestContext.Current.CancellationToken;
        var ivy = await Gateway.CreateKeyAsync("ivy");
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        await SetLimitAsync(admin, new { user = "ivy", rpm = 3 });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
            statuses.Add((await SendAsync(ivy, "spend")).StatusCode);
        using var anthropic = await SendAsync(ivy, "spend");
        using var openai = await SendOpenAIAsync(ivy);
        var anthropicError = JsonDocument.Parse(await anthropic.Content.ReadAsStringAsync(ct)).RootElement;
        var openaiError = JsonDocument.Parse(await openai.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("error");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], statuses);
        Assert.Equal((HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests), (anthropic.StatusCode, openai.StatusCode));
        Assert.Equal(("error", "rate_limit_error"), (anthropicError.GetProperty("type").GetString(), anthropicError.GetProperty("error").GetProperty("type").GetString()));
        Assert.Equal(("rate_limit_error", "rate_limit_exceeded"), (openaiError.GetProperty("type").GetString(), openaiError.GetProperty("code").GetString()));
        Assert.StartsWith("Bridgekeeper refused this request: user 'ivy' may use 3 requests per minute, and that is used up. Retry in ",
            anthropicError.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        // One request refills in 20 s; most of that is left.
        Assert.InRange(anthropic.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(20));
        Assert.Equal(3, Upstream.Exchanges.Count);
        await Gateway.WaitForEndedAsync(expected: 5);
        var refusals = (await Gateway.ListInterceptionsAsync()).Where(i => i.GetProperty("status").GetString() == "failed").ToList();
        Assert.Equal(2, refusals.Count);
        Assert.All(refusals, r => Assert.StartsWith("rate_limit_exceeded: Bridgekeeper refused this request: user 'ivy'", r.GetProperty("error").GetString(),
            StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeyRpm_LimitsOnlyThatKey_AndAChangedLimitAppliesAtOnce()
    {
        var limited = await Gateway.CreateKeyAsync("jon");
        var other = await Gateway.CreateKeyAsync("jon");
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        var keyId = await SpendRequests.KeyIdAsync(admin, "jon", limited);
        await SetLimitAsync(admin, new { key = keyId, rpm = 1 });

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(limited, "a")).StatusCode);
        using var refused = await SendAsync(limited, "b");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("this key may use 1 request per minute", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(other, "c")).StatusCode);      // jon's other key is not limited

        var raised = await SetLimitAsync(admin, new { key = keyId, rpm = 600 });          // replaces the limit: a new bucket, full
        Assert.Equal(600, raised.GetProperty("rpm").GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(limited, "d")).StatusCode);
    }

    [Fact]
    public async Task GroupRpm_PooledIsSharedByItsMembers_PerMemberIsEachOnesOwn()
    {
        var ct = TestContext.Current.CancellationToken;
        var ada = await Gateway.CreateKeyAsync("ada");
        var bob = await Gateway.CreateKeyAsync("bob");
        var cyd = await Gateway.CreateKeyAsync("cyd");
        var dee = await Gateway.CreateKeyAsync("dee");
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        using var pooled = await admin.PostAsJsonAsync("/api/v1/groups", new { name = "pool", members = new[] { "ada", "bob" } }, ct);
        using var each = await admin.PostAsJsonAsync("/api/v1/groups", new { name = "each", members = new[] { "cyd", "dee" } }, ct);
        await SetLimitAsync(admin, new { group = "pool", rpm = 2 });

        var shared = new[] { (await SendAsync(ada, "a")).StatusCode, (await SendAsync(bob, "b")).StatusCode, (await SendAsync(ada, "c")).StatusCode };
        using var refused = await SendAsync(bob, "d");
        var limit = await SetLimitAsync(admin, new { group = "each", rpm = 1, per_member = true });
        var own = new[] { (await SendAsync(cyd, "e")).StatusCode, (await SendAsync(cyd, "f")).StatusCode, (await SendAsync(dee, "g")).StatusCode };

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], shared);
        Assert.Contains("group 'pool' may use 2 requests per minute", await refused.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.True(limit.GetProperty("per_member").GetBoolean());
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.OK], own);      // cyd's minute is spent, dee's is not
    }

    [Fact]
    public async Task UserTpm_ChargesTheInputEstimate_ThenTheActualTokens_SoAMinutesTokensAdmitExactlyThatMany()
    {
        var ct = TestContext.Current.CancellationToken;
        var kim = await Gateway.CreateKeyAsync("kim");
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        await SetLimitAsync(admin, new { user = "kim", tpm = 3000 });
        // Each request is estimated at about 30 tokens but uses 1,000 (500 in, 100 cache writes, 400 out; 900 cache reads not counted).
        const string usage = "input=500,output=400,cache_read=900,cache_write=100";

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await SendAsync(kim, "tokens", ("x-mock-usage", usage));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                Assert.Contains("user 'kim' may use 3,000 tokens per minute", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
            await Gateway.WaitForEndedAsync(expected: i + 1);
        }

        // Charged the estimate only, the bucket would have admitted all five (and about a hundred of them).
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Limits_AreListedForAuditors_ShownToTheMemberInMe_AndValidated()
    {
        var ct = TestContext.Current.CancellationToken;
        var lea = await Gateway.CreateKeyAsync("lea");
        var auditor = await Gateway.CreateKeyAsync("aud", role: "auditor");
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        var set = await SetLimitAsync(admin, new { user = "lea", rpm = 60, tpm = 100_000 });
        using var asLea = Gateway.CreateClient(lea);
        using var asAuditor = Gateway.CreateClient(auditor);

        var me = JsonDocument.Parse(await asLea.GetStringAsync("/api/v1/me", ct)).RootElement;
        var listed = JsonDocument.Parse(await asAuditor.GetStringAsync("/api/v1/limits", ct)).RootElement.GetProperty("limits");
        using var memberList = await asLea.GetAsync("/api/v1/limits", ct);
        using var memberSet = await asLea.PostAsJsonAsync("/api/v1/limits", new { user = "lea", rpm = 1_000 }, ct);
        using var auditorSet = await asAuditor.PostAsJsonAsync("/api/v1/limits", new { user = "lea", rpm = 1_000 }, ct);
        using var neither = await admin.PostAsJsonAsync("/api/v1/limits", new { user = "lea" }, ct);
        using var both = await admin.PostAsJsonAsync("/api/v1/limits", new { user = "lea", key = Guid.NewGuid(), rpm = 5 }, ct);
        using var zero = await admin.PostAsJsonAsync("/api/v1/limits", new { user = "lea", rpm = 0 }, ct);
        using var nobody = await admin.PostAsJsonAsync("/api/v1/limits", new { user = "nobody", rpm = 5 }, ct);

        var mine = Assert.Single(me.GetProperty("limits").EnumerateArray());
        Assert.Equal(("user", "lea", 60L, 100_000L), (mine.GetProperty("scope").GetString(), mine.GetProperty("subject").GetString(),
            mine.GetProperty("rpm").GetInt64(), mine.GetProperty("tpm").GetInt64()));
        Assert.Equal(set.GetProperty("id").GetString(), Assert.Single(listed.EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (memberList.StatusCode, memberSet.StatusCode, auditorSet.StatusCode));
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (neither.StatusCode, both.StatusCode, zero.StatusCode));
        Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);

        using var deleted = await admin.DeleteAsync($"/api/v1/limits/{set.GetProperty("id").GetString()}", ct);
        using var again = await admin.DeleteAsync($"/api/v1/limits/{set.GetProperty("id").GetString()}", ct);
        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NotFound), (deleted.StatusCode, again.StatusCode));
        Assert.Empty(JsonDocument.Parse(await asLea.GetStringAsync("/api/v1/me", ct)).RootElement.GetProperty("limits").EnumerateArray());
    }

    private async Task<HttpResponseMessage> SendAsync(string key, string prompt, params (string Name, string Value)[] headers)
    {
        using var client = Gateway.CreateClient(key, asXApiKey: true);
        return await client.SendAsync(Wire.Post("/anthropic/v1/messages", SpendRequests.Body(prompt), headers), TestContext.Current.CancellationToken);
    }

    private async Task<HttpResponseMessage> SendOpenAIAsync(string key)
    {
        using var client = Gateway.CreateClient(key);
        return await client.SendAsync(Wire.Post("/openai/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"""),
            TestContext.Current.CancellationToken);
    }

    internal static async Task<JsonElement> SetLimitAsync(HttpClient admin, object limit)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/limits", limit, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}

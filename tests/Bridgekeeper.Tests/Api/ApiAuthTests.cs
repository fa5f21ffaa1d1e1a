using System.Net;
using System.Net.Http.Json;
using Bridgekeeper.Auth;

namespace Bridgekeeper.Tests.Api;

public sealed class ApiAuthTests
{
    [Theory]
    [InlineData("/api/v1/me")]
    [InlineData("/api/v1/interceptions")]
    [InlineData("/api/v1/usage")]
    [InlineData("/api/v1/users")]
    public async Task Get_NoKey_Returns401InErrorShape(string path)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);

        using var response = await host.Client().GetAsync(path, ct);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Get_UnknownKey_Returns401()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);

        using var response = await host.Client(ApiKey.Generate().Key).GetAsync("/api/v1/me", ct);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Me_XApiKeyHeader_ReturnsCaller()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);
        var (id, key) = await host.CreateUserWithKeyAsync("carol", Roles.Auditor, ct);
        var client = host.Client();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);

        var me = await ApiAssert.JsonAsync(await client.GetAsync("/api/v1/me", ct), HttpStatusCode.OK);

        Assert.Equal(id.ToString(), me.GetProperty("id").GetString());
        Assert.Equal("carol", me.GetProperty("name").GetString());
        Assert.Equal(Roles.Auditor, me.GetProperty("role").GetString());
    }

    [Theory]
    [InlineData(Roles.Member)]
    [InlineData(Roles.Auditor)]
    public async Task AdminRoutes_NonAdmin_Return403(string role)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);
        var (_, key) = await host.CreateUserWithKeyAsync("someone", role, ct);
        var client = host.Client(key);

        await ApiAssert.ErrorAsync(await client.GetAsync("/api/v1/users", ct), HttpStatusCode.Forbidden, "forbidden");
        await ApiAssert.ErrorAsync(await client.PostAsJsonAsync("/api/v1/users", new { name = "x" }, ct), HttpStatusCode.Forbidden, "forbidden");
        await ApiAssert.ErrorAsync(await client.PostAsJsonAsync("/api/v1/users/someone/keys", new { }, ct), HttpStatusCode.Forbidden, "forbidden");
        await ApiAssert.ErrorAsync(await client.DeleteAsync($"/api/v1/keys/{Guid.NewGuid()}", ct), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task AdminFlow_CreateUserAndKey_KeyAuthenticatesUntilDeleted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);
        var (_, adminKey) = await host.CreateUserWithKeyAsync("root", Roles.Admin, ct);
        var admin = host.Client(adminKey);

        var user = await ApiAssert.JsonAsync(await admin.PostAsJsonAsync("/api/v1/users",
            new { name = "dave", role = "member", email = "dave@example.com" }, ct), HttpStatusCode.Created);
        var created = await ApiAssert.JsonAsync(await admin.PostAsJsonAsync("/api/v1/users/dave/keys",
            new { label = "laptop", expires = "90d" }, ct), HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        var dave = host.Client(key);
        var me = await ApiAssert.JsonAsync(await dave.GetAsync("/api/v1/me", ct), HttpStatusCode.OK);
        using var revoked = await admin.DeleteAsync($"/api/v1/keys/{created.GetProperty("id").GetString()}", ct);
        using var after = await dave.GetAsync("/api/v1/me", ct);

        Assert.Equal(("dave", "member", "dave@example.com"),
            (user.GetProperty("name").GetString(), user.GetProperty("role").GetString(), user.GetProperty("email").GetString()));
        Assert.Matches("^bk_[A-Za-z0-9_-]{43}$", key);
        Assert.Equal(("dave", "laptop", ApiKey.Hint(key)),
            (created.GetProperty("user").GetString(), created.GetProperty("label").GetString(), created.GetProperty("hint").GetString()));
        var expiresIn = created.GetProperty("expires_at").GetDateTimeOffset() - created.GetProperty("created_at").GetDateTimeOffset();
        Assert.InRange(expiresIn, TimeSpan.FromDays(90) - TimeSpan.FromSeconds(5), TimeSpan.FromDays(90));
        Assert.Equal(user.GetProperty("id").GetString(), me.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        await ApiAssert.ErrorAsync(after, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task ListUsers_Admin_ReturnsAllUsersByName()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);
        var (_, adminKey) = await host.CreateUserWithKeyAsync("root", Roles.Admin, ct);
        await host.CreateUserWithKeyAsync("alice", Roles.Member, ct);

        var body = await ApiAssert.JsonAsync(await host.Client(adminKey).GetAsync("/api/v1/users", ct), HttpStatusCode.OK);

        Assert.Equal(["alice", "root"], body.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("name").GetString()));
    }
}

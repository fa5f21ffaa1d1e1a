using System.Net;
using System.Net.Http.Json;
using System.Text;
using Bridgekeeper.Auth;

namespace Bridgekeeper.Tests.Api;

public sealed class ApiAdminErrorTests
{
    [Theory]
    [InlineData("/api/v1/users", """{"name":"x","role":"boss"}""", HttpStatusCode.BadRequest, "bad_request", "role")]
    [InlineData("/api/v1/users", """{"role":"member"}""", HttpStatusCode.BadRequest, "bad_request", "name")]
    [InlineData("/api/v1/users", """{"name":"root"}""", HttpStatusCode.Conflict, "conflict", "root")]
    [InlineData("/api/v1/users", "{not json", HttpStatusCode.BadRequest, "bad_request", "JSON")]
    [InlineData("/api/v1/users/nobody/keys", "{}", HttpStatusCode.NotFound, "not_found", "nobody")]
    [InlineData("/api/v1/users/root/keys", """{"expires":"soon"}""", HttpStatusCode.BadRequest, "bad_request", "expires")]
    public async Task Post_BadRequest_ReturnsErrorNamingTheProblem(string path, string json, HttpStatusCode status, string code, string named)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);
        var (_, key) = await host.CreateUserWithKeyAsync("root", Roles.Admin, ct);

        using var response = await host.Client(key).PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), ct);

        Assert.Contains(named, await ApiAssert.ErrorAsync(response, status, code), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateKey_EmptyBody_CreatesKeyWithoutExpiry()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);
        var (_, key) = await host.CreateUserWithKeyAsync("root", Roles.Admin, ct);

        var created = await ApiAssert.JsonAsync(await host.Client(key).PostAsync("/api/v1/users/root/keys", null, ct), HttpStatusCode.Created);

        Assert.Equal(System.Text.Json.JsonValueKind.Null, created.GetProperty("expires_at").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, created.GetProperty("label").ValueKind);
    }

    [Theory]
    [InlineData("not-a-guid", HttpStatusCode.BadRequest, "bad_request")]
    [InlineData("0199a1b2-0000-7000-8000-000000000000", HttpStatusCode.NotFound, "not_found")]
    public async Task DeleteKey_BadOrUnknownId_ReturnsError(string id, HttpStatusCode status, string code)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);
        var (_, key) = await host.CreateUserWithKeyAsync("root", Roles.Admin, ct);

        using var response = await host.Client(key).DeleteAsync($"/api/v1/keys/{id}", ct);

        await ApiAssert.ErrorAsync(response, status, code);
    }

    [Fact]
    public async Task CreateUser_DefaultRole_IsMember()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await ApiHost.StartAsync(ct);
        var (_, key) = await host.CreateUserWithKeyAsync("root", Roles.Admin, ct);

        var user = await ApiAssert.JsonAsync(await host.Client(key).PostAsJsonAsync("/api/v1/users", new { name = "frank" }, ct), HttpStatusCode.Created);

        Assert.Equal(Roles.Member, user.GetProperty("role").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, user.GetProperty("email").ValueKind);
    }
}

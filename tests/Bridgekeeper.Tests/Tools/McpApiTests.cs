using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Bridgekeeper.Api;
using Bridgekeeper.Auth;
using Bridgekeeper.Hosting;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Auth;
using Bridgekeeper.Tests.Storage;
using Bridgekeeper.Tools;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Bridgekeeper.Tests.Api.ApiAssert;
using static Bridgekeeper.Tests.Tools.McpTestKit;

namespace Bridgekeeper.Tests.Tools;

public sealed class McpApiTests : IAsyncLifetime
{
    private TempDatabase _temp = null!;
    private TestMcpServer _mcp = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private UserStore _users = null!;
    private McpTokenStore _tokens = null!;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _temp = await TempDatabase.CreateAsync(ct);
        _mcp = await TestMcpServer.StartAsync(ct);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_temp.Database);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<UserStore>();
        builder.Services.AddTestKeyAuthenticator();
        builder.Services.AddSingleton(sp => new McpTokenStore(sp.GetRequiredService<Database>(), TimeProvider.System, SecretKeyring.Of(RandomNumberGenerator.GetBytes(32))));
        builder.Services.AddSingleton(new McpOptions
        {
            Servers = [Server("docs", _mcp.StreamableUrl, allow: "^echo$"), Server("private", _mcp.StreamableUrl, allow: "^add$", requiresUserToken: true)],
        });
        builder.Services.AddSingleton<IMcpTokenSource>(sp => new StoredMcpTokens(sp.GetRequiredService<McpTokenStore>()));
        builder.Services.AddSingleton<McpToolRegistry>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<McpToolRegistry>());
        _app = builder.Build();
        _app.MapMcpApi();
        await _app.StartAsync(ct);
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
        _users = _app.Services.GetRequiredService<UserStore>();
        _tokens = _app.Services.GetRequiredService<McpTokenStore>();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _mcp.DisposeAsync();
        await _temp.DisposeAsync();
    }

    [Fact]
    public async Task PutToken_Self_StoresEncryptedAndNeverEchoes()
    {
        var ct = TestContext.Current.CancellationToken;
        var (alice, key) = await UserAsync("alice", Roles.Member);

        var response = await Send(HttpMethod.Put, "/api/v1/users/alice/mcp-tokens/private", key, """{"token":"sekrit-123"}""");
        var body = await response.Content.ReadAsStringAsync(ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"server\":\"private\"", body);
        Assert.DoesNotContain("sekrit-123", body);
        Assert.Equal("sekrit-123", (await _tokens.GetTokensAsync(alice, ct))["private"]);
        var list = await Send(HttpMethod.Get, "/api/v1/users/alice/mcp-tokens", key);
        var listed = await JsonAsync(list, HttpStatusCode.OK);
        Assert.Equal("private", listed.GetProperty("mcp_tokens")[0].GetProperty("server").GetString());
        Assert.DoesNotContain("sekrit-123", listed.GetRawText());
    }

    [Fact]
    public async Task PutToken_OtherUserAsMember_Forbidden_AsAdmin_Allowed()
    {
        await UserAsync("alice", Roles.Member);
        var (_, bobKey) = await UserAsync("bob", Roles.Member);
        var (_, adminKey) = await UserAsync("root", Roles.Admin);

        await ErrorAsync(await Send(HttpMethod.Put, "/api/v1/users/alice/mcp-tokens/private", bobKey, """{"token":"x"}"""), HttpStatusCode.Forbidden, "forbidden");
        await ErrorAsync(await Send(HttpMethod.Get, "/api/v1/users/alice/mcp-tokens", bobKey), HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Put, "/api/v1/users/alice/mcp-tokens/private", adminKey, """{"token":"x"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Send(HttpMethod.Delete, "/api/v1/users/alice/mcp-tokens/private", adminKey)).StatusCode);
        await ErrorAsync(await Send(HttpMethod.Delete, "/api/v1/users/alice/mcp-tokens/private", adminKey), HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData("private", """{"token":""}""", HttpStatusCode.BadRequest, "bad_request")]
    [InlineData("private", "not json", HttpStatusCode.BadRequest, "bad_request")]
    [InlineData("Not_A_Name", """{"token":"x"}""", HttpStatusCode.BadRequest, "bad_request")]
    [InlineData("unknown", """{"token":"x"}""", HttpStatusCode.NotFound, "not_found")]
    public async Task PutToken_BadInput_ErrorShape(string server, string body, HttpStatusCode status, string code)
    {
        var (_, key) = await UserAsync("alice", Roles.Member);

        var message = await ErrorAsync(await Send(HttpMethod.Put, $"/api/v1/users/alice/mcp-tokens/{server}", key, body), status, code);

        Assert.DoesNotContain("not json", message);
    }

    [Fact]
    public async Task GetTools_ReflectsCallersTokens()
    {
        var ct = TestContext.Current.CancellationToken;
        var (alice, key) = await UserAsync("alice", Roles.Member);
        var registry = _app.Services.GetRequiredService<McpToolRegistry>();
        var user = new GatewayUser(alice, "alice", Roles.Member, Guid.Empty);
        await registry.WhenReadyAsync(user, ct);

        var before = await JsonAsync(await Send(HttpMethod.Get, "/api/v1/mcp/tools", key), HttpStatusCode.OK);
        await Send(HttpMethod.Put, "/api/v1/users/alice/mcp-tokens/private", key, """{"token":"t"}""");
        await registry.WhenReadyAsync(user, ct);
        var after = await JsonAsync(await Send(HttpMethod.Get, "/api/v1/mcp/tools", key), HttpStatusCode.OK);

        Assert.Equal(["bmcp_docs_echo"], before.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        var tools = after.GetProperty("tools").EnumerateArray().ToArray();
        Assert.Equal(["bmcp_docs_echo", "bmcp_private_add"], tools.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(("private", "add"), (tools[1].GetProperty("server").GetString(), tools[1].GetProperty("tool").GetString()));
    }

    [Fact]
    public async Task Routes_WithoutKey_Unauthorized() =>
        await ErrorAsync(await Send(HttpMethod.Get, "/api/v1/mcp/tools", null), HttpStatusCode.Unauthorized, "unauthorized");

    private async Task<(Guid Id, string Key)> UserAsync(string name, string role)
    {
        var ct = TestContext.Current.CancellationToken;
        var user = await _users.CreateUserAsync(name, role, null, ct);
        var key = ApiKey.Generate();
        await _users.CreateKeyAsync(user.Id, "test", null, key.Hash, key.Hint, ct);
        return (user.Id, key.Key);
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string? key, string? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null)
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        return _http.SendAsync(request, TestContext.Current.CancellationToken);
    }
}

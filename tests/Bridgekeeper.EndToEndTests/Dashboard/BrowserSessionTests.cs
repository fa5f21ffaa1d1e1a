using System.Net;
using System.Text;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests.Dashboard;

/// <summary>
/// The dashboard's session over HTTP: sign-in sets an HttpOnly, SameSite=Strict cookie scoped to the API; the cookie
/// reads but changes only with the CSRF token and from the gateway's own origin; it never works on a provider route;
/// revoking the key ends the session; and the pages and the API carry the browser hardening headers.
/// </summary>
public sealed class BrowserSessionTests : GatewayTest
{
    [Fact]
    public async Task SignIn_SetsAnHttpOnlyStrictCookieForTheApiOnly_AndAnswersWhoAndTheCsrfToken()
    {
        var key = await Gateway.CreateKeyAsync("erin");

        using var response = await SendAsync(HttpMethod.Post, "/api/v1/session", cookie: null, json: $$"""{"key":"{{key}}"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Equal($"bridgekeeper_session={key}; path=/api/v1; samesite=strict; httponly", cookie);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal(("erin", "member"), (body.GetProperty("user").GetProperty("name").GetString(), body.GetProperty("role").GetString()));
        Assert.Matches("^[A-Za-z0-9_-]{43}$", body.GetProperty("csrf_token").GetString());
    }

    [Theory]
    [InlineData("""{"key":"bk_not-a-real-key"}""", "application/json", null, HttpStatusCode.Unauthorized)]
    [InlineData("""{"key":""}""", "application/json", null, HttpStatusCode.BadRequest)]
    [InlineData("""{"key": bk_secret-typed-badly""", "application/json", null, HttpStatusCode.BadRequest)]
    [InlineData("key=bk_x", "application/x-www-form-urlencoded", null, HttpStatusCode.UnsupportedMediaType)]
    [InlineData("""{"key":"bk_x"}""", "text/plain", null, HttpStatusCode.UnsupportedMediaType)]
    [InlineData("""{"key":"bk_x"}""", "application/json", "https://evil.example", HttpStatusCode.Forbidden)]
    public async Task SignIn_RefusesBadKeysForeignOriginsAndNonJsonBodies_WithoutACookie(string body, string type, string? origin, HttpStatusCode status)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/session") { Content = new StringContent(body, Encoding.UTF8, type) };
        if (origin is not null)
            request.Headers.Add("Origin", origin);
        using var client = CookielessClient();

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(status, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        foreach (var sent in System.Text.RegularExpressions.Regex.Matches(body, "bk_[A-Za-z0-9-]+").Select(m => m.Value))
            Assert.DoesNotContain(sent, text, StringComparison.Ordinal);
        Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("error").TryGetProperty("code", out _));
    }

    [Fact]
    public async Task Cookie_Reads_ButChangesOnlyWithItsCsrfTokenFromTheGatewaysOwnOrigin()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = Gateway.AdminKey;
        var token = await CsrfTokenAsync(key);
        var origin = Gateway.Url.GetLeftPart(UriPartial.Authority);

        using var me = await SendAsync(HttpMethod.Get, "/api/v1/me", key);
        using var none = await SendAsync(HttpMethod.Post, "/api/v1/users", key, """{"name":"no-token"}""");
        using var wrong = await SendAsync(HttpMethod.Post, "/api/v1/users", key, """{"name":"wrong-token"}""", ("X-CSRF-Token", token[..^1] + "x"));
        using var otherKeys = await SendAsync(HttpMethod.Post, "/api/v1/users", key, """{"name":"other-token"}""", ("X-CSRF-Token", await CsrfTokenAsync(await Gateway.CreateKeyAsync("fred"))));
        using var foreign = await SendAsync(HttpMethod.Post, "/api/v1/users", key, """{"name":"foreign"}""", ("X-CSRF-Token", token), ("Origin", "http://evil.example"));
        using var right = await SendAsync(HttpMethod.Post, "/api/v1/users", key, """{"name":"with-token"}""", ("X-CSRF-Token", token), ("Origin", origin));

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        foreach (var refused in new[] { none, wrong, otherKeys })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("csrf_failed", JsonDocument.Parse(await refused.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("error").GetProperty("code").GetString());
        }
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Created, right.StatusCode);
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        var users = await admin.GetStringAsync("/api/v1/users", ct);
        Assert.Contains("\"with-token\"", users, StringComparison.Ordinal);
        Assert.DoesNotContain("no-token", users, StringComparison.Ordinal);
        Assert.DoesNotContain("foreign", users, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cookie_IsNoCredentialOnProviderRoutes_TheUpstreamNeverSeesTheRequest()
    {
        var key = await Gateway.CreateKeyAsync("gina");

        using var response = await SendAsync(HttpMethod.Post, "/anthropic/v1/messages", key,
            """{"model":"claude-sonnet-4-5","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(Upstream.Exchanges);
    }

    [Fact]
    public async Task RevokingTheKey_EndsTheSession_AndSignOutClearsTheCookie()
    {
        var key = await Gateway.CreateKeyAsync("hank");
        var token = await CsrfTokenAsync(key);

        using var signOut = await SendAsync(HttpMethod.Delete, "/api/v1/session", key, json: null, ("X-CSRF-Token", token));
        await Gateway.RevokeKeysOfAsync("hank");
        using var afterRevoke = await SendAsync(HttpMethod.Get, "/api/v1/me", key);

        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.StartsWith("bridgekeeper_session=; expires=Thu, 01 Jan 1970", Assert.Single(signOut.Headers.GetValues("Set-Cookie")), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
    }

    [Theory]
    [InlineData("/ui")]
    [InlineData("/ui/sessions/some-session")]
    [InlineData("/ui/users")]
    [InlineData("/ui/assets/app.js")]
    public async Task DashboardPaths_CarryAStrictContentSecurityPolicy_NoSniff_AndFrameDenial(string path)
    {
        using var client = Gateway.CreateClient(key: null);

        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var policy = Wire.Header(response, "Content-Security-Policy");
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("style-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.Equal(("nosniff", "DENY"), (Wire.Header(response, "X-Content-Type-Options"), Wire.Header(response, "X-Frame-Options")));
    }

    [Fact]
    public async Task ApiAnswers_AreNeverCachedOrFramed_ProviderAnswersKeepTheUpstreamsHeaders()
    {
        using var client = Gateway.CreateClient(Gateway.AdminKey);
        var ct = TestContext.Current.CancellationToken;

        using var api = await client.GetAsync("/api/v1/me", ct);
        using var provider = await client.GetAsync("/openai/v1/models", ct);

        Assert.Equal(("no-store", "nosniff", "DENY"), (Wire.Header(api, "Cache-Control"), Wire.Header(api, "X-Content-Type-Options"), Wire.Header(api, "X-Frame-Options")));
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", Wire.Header(api, "Content-Security-Policy"));
        Assert.Equal(HttpStatusCode.OK, provider.StatusCode);
        Assert.False(provider.Headers.Contains("Content-Security-Policy") || provider.Headers.Contains("X-Frame-Options"));
    }

    [Fact]
    public async Task UnknownDashboardFile_Is404_NotTheShell()
    {
        using var client = Gateway.CreateClient(key: null);

        using var response = await client.GetAsync("/ui/assets/missing.js", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("<html", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private async Task<string> CsrfTokenAsync(string key)
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/v1/session", key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("csrf_token").GetString()!;
    }

    /// <summary>Sends with the dashboard's cookie holding <paramref name="cookie"/> (and no key header).</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? cookie, string? json = null, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (cookie is not null)
            request.Headers.Add("Cookie", $"bridgekeeper_session={cookie}");
        foreach (var (name, value) in headers)
            request.Headers.Add(name, value);
        using var client = CookielessClient();
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>A client that sends exactly the Cookie header a test sets (no cookie jar of its own).</summary>
    private HttpClient CookielessClient() => new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = Gateway.Url };
}

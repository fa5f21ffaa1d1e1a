using System.Text;
using System.Text.Json;
using Bridgekeeper.Tests.Hostile;
using CsCheck;

namespace Bridgekeeper.EndToEndTests.Hostile;

/// <summary>
/// Random methods and hostile paths at every provider prefix, over a raw socket (so <c>\</c>, dot segments and control
/// characters reach the gateway as sent), with a valid member key, with and without a WebSocket upgrade. SPEC §3: the
/// passthrough is an allowlist and an upstream URI is built from the route's template, never from the client's path;
/// a <c>{id}</c> is one segment that never holds <c>/</c>, <c>\</c>, <c>..</c> or control characters, decoded or not.
/// </summary>
public sealed class PassthroughPathPropertyTests(HostileGateway fixture) : IClassFixture<HostileGateway>
{
    private const long Iterations = 400;

    private static readonly string[] Prefixes = ["/openai", "/anthropic", "/api/v2/aibridge/openai", "/api/v2/aibridge/anthropic"];
    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

    /// <summary>Route starts the allowlist knows (and some it does not), each optionally followed by an id.</summary>
    private static readonly string[] Routes =
    [
        "v1/models", "v1/models/", "v1/responses/", "v1/chat/completions", "v1/responses", "v1/messages", "v1/messages/count_tokens",
        "V1/MODELS", "v1/models/gpt-4o", "v1/files", "v1", "", "v1/models/x/..", "v1/messages/../models", "v1/embeddings",
    ];

    private static readonly string[] HostileSegments =
    [
        "..", ".", "%2e%2e", "%2E%2E", ".%2e", "%2e.", "%2F", "a%2Fb", "%2F..%2F..%2Fadmin", "%5C", "a%5C..%5Cb", "\\", "a\\..\\b",
        "%00", "a%00b", "%0d%0aX-Injected:%201", "%01", "%7f", "%252F", "%252e%252e", "é", "%C3%A9", "%E2%80%AE", "%FF", "日本",
        "x;param=1", ";", "..;", "", "gpt-4o", "claude-sonnet-4-5", "resp_123", "models", "count_tokens", "%20", " ", "%09",
    ];

    /// <summary>Upstream templates (as the mock sees paths: its base URLs are <c>/openai/v1/</c> and <c>/anthropic/</c>), by method.</summary>
    private static readonly (string Method, string Path, bool HasId)[] Templates =
    [
        ("GET", "/openai/v1/models", false), ("GET", "/openai/v1/models/", true), ("GET", "/openai/v1/responses/", true),
        ("POST", "/openai/v1/chat/completions", false), ("POST", "/openai/v1/responses", false),
        ("GET", "/anthropic/v1/models", false), ("GET", "/anthropic/v1/models/", true),
        ("POST", "/anthropic/v1/messages/count_tokens", false), ("POST", "/anthropic/v1/messages", false),
    ];

    internal sealed record Case(string Method, string Prefix, string Route, string[] Segments, string Query, bool Slash, bool Upgrade)
    {
        /// <summary>The request target, as the characters sent (non-ASCII ones go as their UTF-8 bytes).</summary>
        public string Target
        {
            get
            {
                var path = Prefix + "/" + Route;
                foreach (var segment in Segments)
                    path += (path.EndsWith('/') ? "" : "/") + segment;
                return path + (Slash ? "/" : "") + Query;
            }
        }

        public override string ToString() => $"{Method} {Target}{(Upgrade ? " (Upgrade: websocket)" : "")}";
    }

    private static readonly Gen<Case> Cases = Gen.Select(
        Gen.Frequency((4, Gen.Const("GET")), (2, Gen.Const("POST")), (3, Gen.OneOf(Methods))),
        Gen.OneOf(Prefixes),
        Gen.OneOf(Routes),
        Gen.Frequency((2, Gen.OneOf(HostileSegments)), (1, Gen.Int[200, 5000].Select(n => new string('a', n)))).Array[0, 3],
        Gen.OneOf("", "", "?beta=true", "?a=%2F..%2F", "?x=1&y=%00"),
        Gen.Frequency((5, Gen.Const(false)), (1, Gen.Const(true))),
        Gen.Frequency((3, Gen.Const(false)), (1, Gen.Const(true))),
        (method, prefix, route, segments, query, slash, upgrade) => new Case(method, prefix, route, segments, query, slash, upgrade));

    [Fact]
    public Task Passthrough_HostilePaths_NeverReachUpstreamOutsideTheAllowlist() =>
        Property.CheckAsync(Cases, async c =>
        {
            var (response, exchanges) = await SendAsync(c);

            Assert.True(response.Status < 500, $"{response.Status} {response.Text}");
            foreach (var exchange in exchanges)
            {
                var template = Templates.FirstOrDefault(t => t.Method == exchange.Method
                    && (t.HasId ? exchange.Path.StartsWith(t.Path, StringComparison.Ordinal) && !exchange.Path[t.Path.Length..].Contains('/') : exchange.Path == t.Path));
                Assert.True(template.Path is not null, $"upstream got {exchange.Method} {exchange.Path}");
                if (template.HasId)
                    AssertOneSafeSegment(exchange.Path[template.Path.Length..]);
                Assert.False(exchange.Headers.ContainsKey("upgrade"), $"upstream got Upgrade: {exchange.Headers.GetValueOrDefault("upgrade")}");
                Assert.DoesNotContain("upgrade", exchange.Headers.GetValueOrDefault("connection") ?? "", StringComparison.OrdinalIgnoreCase);
            }
        }, Iterations, c => c.ToString());

    /// <summary>A request for an allowlisted <c>{id}</c> route whose id holds a separator, dot-dot or control character never goes upstream.</summary>
    [Fact]
    public Task Passthrough_HostileIds_RefusedInProviderShapeAndNeverForwarded() =>
        Property.CheckAsync(Gen.Select(Gen.OneOf(Prefixes), Gen.OneOf("v1/models/", "v1/responses/"), Gen.OneOf(HostileSegments).Array[1, 3],
            Gen.Frequency((3, Gen.Const(false)), (1, Gen.Const(true)))), async t =>
        {
            var (prefix, route, pieces, upgrade) = t;
            var id = string.Concat(pieces);
            if (!IsHostileId(id) || (route == "v1/responses/" && prefix.EndsWith("anthropic", StringComparison.Ordinal)))
                return;
            var c = new Case("GET", prefix, route + id, [], "", false, upgrade);

            var (response, exchanges) = await SendAsync(c);

            Assert.Empty(exchanges.Select(e => e.Path));
            if (response.Body.Length > 0 || response.Status != 400)   // an empty 400 is Kestrel refusing the request line itself
            {
                Assert.True(response.Status is 400 or 404, $"{response.Status} {response.Text}");
                BadInputTests.AssertProviderError(response.Text, prefix.EndsWith("anthropic", StringComparison.Ordinal) ? "anthropic" : "openai",
                    response.Status == 400 ? "invalid_request_error" : "not_found_error");
            }
        }, Iterations / 2, t => $"{t.Item1}/{t.Item2}{string.Concat(t.Item3)}");

    private async Task<(RawHttp.Response, IReadOnlyList<MockUpstream.MockExchange>)> SendAsync(Case c)
    {
        var ct = TestContext.Current.CancellationToken;
        await fixture.OneAtATime.WaitAsync(ct);
        try
        {
            fixture.Upstream.ClearExchanges();
            List<(string, string)> headers = [("Authorization", $"Bearer {fixture.MemberKey}")];
            if (c.Upgrade)
                headers.AddRange([("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")]);
            var body = c.Method is "POST" or "PUT" or "PATCH" ? Body(c.Prefix) : null;
            var response = await RawHttp.SendAsync(fixture.Gateway.Url, c.Method, Encoding.Latin1.GetBytes(Encode(c.Target)), headers, body, chunked: false, ct);
            return (response, fixture.Upstream.Exchanges);
        }
        finally
        {
            fixture.OneAtATime.Release();
        }
    }

    /// <summary>Non-ASCII characters go as their UTF-8 bytes (each byte one Latin-1 char).</summary>
    private static string Encode(string target) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(target));

    private static byte[] Body(string prefix) => Encoding.UTF8.GetBytes(prefix.EndsWith("anthropic", StringComparison.Ordinal)
        ? """{"model":"claude-sonnet-4-5-20250929","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}"""
        : """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"input":"hi"}""");

    private static void AssertOneSafeSegment(string id)
    {
        Assert.False(id.Length == 0, "empty id");
        var decoded = Uri.UnescapeDataString(id);
        Assert.False(IsHostileId(id), $"upstream got the id '{id}' (decoded '{decoded}')");
    }

    /// <summary>SPEC §3: a separator, dot-dot or control character, in the id as sent or percent-decoded (once or twice).</summary>
    private static bool IsHostileId(string id)
    {
        foreach (var text in new[] { id, Uri.UnescapeDataString(id), Uri.UnescapeDataString(Uri.UnescapeDataString(id)) })
            if (text.Contains('/') || text.Contains('\\') || text.Contains("..", StringComparison.Ordinal) || text.Any(char.IsControl))
                return true;
        return false;
    }
}

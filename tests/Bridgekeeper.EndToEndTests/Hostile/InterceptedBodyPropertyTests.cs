using System.Text;
using System.Text.Json;
using Bridgekeeper.Tests.Hostile;
using CsCheck;

namespace Bridgekeeper.EndToEndTests.Hostile;

/// <summary>
/// Hostile bodies at the intercepted routes, streaming and not: random bytes, random JSON, realistic requests mutated
/// (fields of the wrong kind, deep nesting, huge strings and numbers, duplicate keys, invalid UTF-8 and lone surrogate
/// escapes), with random <c>Content-Type</c>s, sent with <c>Content-Length</c> or chunked. The gateway never fails with
/// a 5xx of its own; a 4xx it makes is in the provider's error shape; and every request leaves exactly one audit row,
/// ended, and <c>failed</c> with its reason whenever the answer was not a success (<c>canceled</c> only means the client left).
/// </summary>
public sealed class InterceptedBodyPropertyTests(HostileGateway fixture) : IClassFixture<HostileGateway>
{
    private const long Iterations = 300;

    private static readonly (string Path, string Shape, string[] Realistic)[] Routes =
    [
        ("/openai/v1/chat/completions", "openai", RealisticRequests.OpenAIChat),
        ("/openai/v1/responses", "openai", RealisticRequests.OpenAIResponses),
        ("/anthropic/v1/messages", "anthropic", RealisticRequests.AnthropicMessages),
        ("/api/v2/aibridge/anthropic/v1/messages", "anthropic", RealisticRequests.AnthropicMessages),
    ];

    private static readonly string[] ContentTypes =
        ["application/json", "application/json", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=iso-8859-1", "multipart/form-data; boundary=x", ""];

    internal sealed record Case(int Route, byte[] Body, string ContentType, bool Chunked)
    {
        public override string ToString() =>
            $"POST {Routes[Route].Path} ({(Chunked ? "chunked" : "Content-Length")}, Content-Type '{ContentType}'): {HostileJson.Show(Body)}";
    }

    private static readonly Gen<Case> Cases = Gen.Int[0, Routes.Length - 1].SelectMany(route => Gen.Select(
        Gen.Frequency(
            (3, HostileJson.Body(Routes[route].Realistic, hostile: true)),
            (2, HostileJson.Body(Routes[route].Realistic, hostile: false)),
            (2, Gen.OneOf(Routes[route].Realistic).Select(json => Encoding.UTF8.GetBytes(json.Replace("\"stream\":true", "\"stream\":false", StringComparison.Ordinal))))),
        Gen.OneOf(ContentTypes),
        Gen.Bool,
        (body, contentType, chunked) => new Case(route, body, contentType, chunked)));

    [Fact]
    public Task Intercepted_HostileBodies_NoGateway5xxProviderShapedErrorsOneEndedRow() =>
        Property.CheckAsync(Cases, async c =>
        {
            var ct = TestContext.Current.CancellationToken;
            var (path, shape, _) = Routes[c.Route];
            await fixture.OneAtATime.WaitAsync(ct);
            try
            {
                fixture.Upstream.ClearExchanges();
                var newestBefore = await NewestIdAsync();
                List<(string, string)> headers = [("Authorization", $"Bearer {fixture.MemberKey}")];
                if (c.ContentType.Length > 0)
                    headers.Add(("Content-Type", c.ContentType));

                var response = await RawHttp.SendAsync(fixture.Gateway.Url, "POST", Encoding.ASCII.GetBytes(path), headers, c.Body, c.Chunked, ct);

                var upstreamStatuses = fixture.Upstream.Exchanges.Select(e => e.Status).ToList();
                var fromUpstream = upstreamStatuses.Contains(response.Status);
                Assert.True(response.Status < 500 || fromUpstream, $"gateway answered {response.Status}: {response.Text}");
                if (response.Status is >= 400 and < 500 && !fromUpstream)
                    BadInputTests.AssertProviderError(response.Text, shape, ExpectedType(response.Status));

                var row = await SingleNewRowAsync(newestBefore);
                var status = row.GetProperty("status").GetString();
                Assert.True(status is "completed" or "failed", $"row status '{status}' for HTTP {response.Status}: {row}");
                if (response.Status is < 200 or >= 300)
                {
                    Assert.Equal("failed", status);
                    Assert.False(string.IsNullOrEmpty(row.GetProperty("error").GetString()), $"failed row without error: {row}");
                }
            }
            finally
            {
                fixture.OneAtATime.Release();
            }
        }, Iterations, c => c.ToString());

    private static string ExpectedType(int status) => status switch
    {
        400 => "invalid_request_error",
        413 => "request_too_large",
        404 => "not_found_error",
        _ => "invalid_request_error",
    };

    /// <summary>
    /// The newest row, once every recent row has ended: a request of an earlier, failed iteration (whose connection the
    /// test dropped) must not count as this one's.
    /// </summary>
    private async Task<string?> NewestIdAsync()
    {
        using var client = fixture.Gateway.CreateClient(fixture.Gateway.AdminKey);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var json = await client.GetStringAsync("/api/v1/interceptions?limit=5", TestContext.Current.CancellationToken);
            var rows = JsonDocument.Parse(json).RootElement.GetProperty("interceptions").EnumerateArray().ToList();
            if (rows.All(i => i.GetProperty("status").GetString() != "in_progress") || DateTime.UtcNow > deadline)
                return rows.Select(i => i.GetProperty("id").GetString()).FirstOrDefault();
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits for the rows written since <paramref name="newestBefore"/> to end; there must be exactly one.</summary>
    private async Task<JsonElement> SingleNewRowAsync(string? newestBefore)
    {
        using var client = fixture.Gateway.CreateClient(fixture.Gateway.AdminKey);
        var ct = TestContext.Current.CancellationToken;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var json = await client.GetStringAsync("/api/v1/interceptions?limit=5", ct);
            var rows = JsonDocument.Parse(json).RootElement.GetProperty("interceptions").EnumerateArray()
                .TakeWhile(i => i.GetProperty("id").GetString() != newestBefore).Select(i => i.Clone()).ToList();
            if (rows.Count > 0 && rows.All(i => i.GetProperty("status").GetString() != "in_progress"))
            {
                Assert.True(rows.Count == 1, $"{rows.Count} rows for one request: {json}");
                return rows[0];
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"No ended audit row for the request within 15 s; newest rows: {json}");
            await Task.Delay(20, ct);
        }
    }
}

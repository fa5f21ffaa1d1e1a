using Bridgekeeper.EndToEndTests.Clients;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;

namespace Bridgekeeper.EndToEndTests.Proxy;

/// <summary>
/// curl as the proxy client (<c>-x http://me:KEY@host:port</c>, the CA given with <c>--cacert</c>), over HTTP/1.1 and
/// HTTP/2, blocking and streaming, on the three APIs: the bytes the mock sent are what curl printed, and the
/// interception is the proxy user's.
/// </summary>
public sealed class ProxyCurlTests : GatewayTest
{
    private protected override GatewaySettings Configure(GatewaySettings settings) => settings with { Proxy = ProxyClients.Options() };

    /// <summary>Without it the gateway leaves out the usage-only chunk the upstream sent, so the bytes would differ by that chunk.</summary>
    private const string IncludeUsage = ""","stream_options":{"include_usage":true}""";

    public static TheoryData<string, string, string> Calls()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var version in new[] { "--http1.1", "--http2" })
            foreach (var stream in new[] { "", ""","stream":true""" })
            {
                data.Add(version, "https://api.openai.com/v1/chat/completions", $$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"curl"}]{{(stream.Length > 0 ? stream + IncludeUsage : "")}}}""");
                data.Add(version, "https://api.openai.com/v1/responses", $$"""{"model":"gpt-4o-mini","input":"curl"{{stream}}}""");
                data.Add(version, "https://api.anthropic.com/v1/messages", $$"""{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"curl"}]{{(stream.Length > 0 ? stream + IncludeUsage : "")}}}""");
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task Curl_ThroughTheProxy_GetsTheUpstreamsBytes_AndIsRecordedForTheProxyUser(string version, string url, string body)
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Directory.CreateTempSubdirectory("bk-curl-").FullName;
        var caFile = await ProxyClients.CaFileAsync(Gateway, folder);
        var key = await Gateway.CreateKeyAsync("curl-user");
        var output = Path.Combine(folder, "out");

        var run = await ClientProcess.RunAsync("curl", ["-sS", "--fail-with-body", version, "-x", $"http://me:{key}@{Gateway.ProxyUrl!.Authority}",
            "--cacert", caFile, "-H", "content-type: application/json", "-H", "x-api-key: sk-placeholder", "-H", "x-mock-usage: input=9,output=4",
            "-o", output, "-w", "%{http_version} %{http_code}", "--data-binary", body, url], new Dictionary<string, string>(), folder, ct);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(version == "--http2" ? "2 200" : "1.1 200", run.Stdout);
        var exchange = Assert.Single(Upstream.Exchanges);
        Assert.Equal(exchange.ResponseBody, await File.ReadAllBytesAsync(output, ct));
        Assert.DoesNotContain(exchange.Headers.Values, v => v.Contains("placeholder", StringComparison.Ordinal) || v.Contains(key, StringComparison.Ordinal));
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal(("curl-user", "completed", "proxy"), (record.GetProperty("user").GetProperty("name").GetString(), record.GetProperty("status").GetString(),
            record.GetProperty("metadata").GetProperty("via").GetString()));
        Assert.Equal((9, 4, 0, 0, 0), ChatCompletionsTests.Tokens(Assert.Single(record.GetProperty("token_usages").EnumerateArray())));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Curl_WithAWrongKey_Gets407()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Directory.CreateTempSubdirectory("bk-curl-").FullName;

        var run = await ClientProcess.RunAsync("curl", ["-sS", "-x", $"http://me:bk_not_a_key@{Gateway.ProxyUrl!.Authority}", "-k",
            "-w", "%{http_connect}", "-o", "/dev/null", "https://api.anthropic.com/v1/models"], new Dictionary<string, string>(), folder, ct);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Equal("407", run.Stdout);
        Assert.Empty(Upstream.Exchanges);
        Directory.Delete(folder, recursive: true);
    }
}

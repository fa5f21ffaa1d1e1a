using System.Text;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.EndToEndTests.Proxy;
using Bridgekeeper.Hosting;

namespace Bridgekeeper.EndToEndTests.Clients;

/// <summary>
/// Claude Code and Codex unchanged, given only <c>HTTPS_PROXY</c> and the CA (no base URL): they call
/// api.anthropic.com and api.openai.com as they always do, the proxy decrypts those hosts, and the gateway answers from
/// the mock upstream and records the proxy user's interception with exact tokens. The placeholder keys the clients
/// send never reach the upstream.
/// </summary>
public sealed class ProxiedClientTests : ClientTest
{
    private const string ClaudePlaceholder = "sk-ant-placeholder-not-a-real-key";
    private const string CodexPlaceholder = "sk-placeholder-not-a-real-key";

    private protected override GatewaySettings Configure(GatewaySettings settings) => settings with { Proxy = ProxyClients.Options() };

    [Fact]
    public async Task ClaudeCode_WithOnlyHttpsProxyAndTheCa_IsAnsweredAndRecordedForTheProxyUser()
    {
        using var sandbox = new Sandbox();
        const string prompt = "Say hello through the proxy mock:usage=input=12,output=40,cache_read=1000,cache_write=200";
        var key = await Gateway.CreateKeyAsync("proxied-claude");
        var environment = ClaudeEnvironment(sandbox, ("HTTPS_PROXY", $"http://me:{key}@{Gateway.ProxyUrl!.Authority}"),
            ("NODE_EXTRA_CA_CERTS", await ProxyClients.CaFileAsync(Gateway, sandbox.Root)), ("ANTHROPIC_API_KEY", ClaudePlaceholder));

        var run = await ClientProcess.RunAsync(ClientInstall.ClaudeCode, ["-p", prompt], environment, sandbox.Work, TestContext.Current.CancellationToken);

        await ExpectAsync(run, async () =>
        {
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("Hello from the mock upstream.", run.Stdout, StringComparison.Ordinal);
            var record = await InterceptionAsync(i => HasPrompt(i, prompt));
            Assert.Equal(("completed", "anthropic", "Claude Code"), (Text(record, "status"), Text(record, "provider"), Text(record, "client")));
            Assert.Equal("proxied-claude", record.GetProperty("user").GetProperty("name").GetString());
            Assert.Equal("proxy", record.GetProperty("metadata").GetProperty("via").GetString());
            Assert.Equal((12, 40, 1000, 200, 0), ChatCompletionsTests.Tokens(Assert.Single(record.GetProperty("token_usages").EnumerateArray())));
            var exchange = Upstream.Exchanges.First(e => Encoding.UTF8.GetString(e.RequestBody).Contains(prompt, StringComparison.Ordinal));
            Assert.Equal(GatewayUnderTest.AnthropicUpstreamKey, exchange.Headers["x-api-key"]);
            Assert.Equal(exchange.Headers["x-claude-code-session-id"], Text(record, "session_id"));
            AssertNoClientSecretUpstream(key, ClaudePlaceholder);
        });
    }

    [Fact]
    public async Task Codex_WithOnlyHttpsProxyAndTheCa_IsAnsweredAndRecordedForTheProxyUser()
    {
        using var sandbox = new Sandbox();
        const string prompt = "Say hello through the proxy mock:usage=input=100,output=20,cache_read=30,reasoning=5";
        var key = await Gateway.CreateKeyAsync("proxied-codex");
        // No provider and no base URL: Codex's built-in OpenAI provider, as a developer has it.
        var codexHome = await CodexHomeAsync(sandbox);
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = sandbox.Home,
            ["CODEX_HOME"] = codexHome,
            ["HTTPS_PROXY"] = $"http://me:{key}@{Gateway.ProxyUrl!.Authority}",
            ["SSL_CERT_FILE"] = await ProxyClients.CaFileAsync(Gateway, sandbox.Root),
            ["OPENAI_API_KEY"] = CodexPlaceholder,
            ["CODEX_API_KEY"] = CodexPlaceholder,
        };
        string[] arguments = ["exec", "--strict-config", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", "--ephemeral",
            "--color", "never", "-C", sandbox.Work, prompt];

        // Codex retries forever when it cannot get through, so the run has a deadline of its own.
        var run = await ClientProcess.RunAsync(ClientInstall.Codex, arguments, environment, sandbox.Work, TestContext.Current.CancellationToken,
            TimeSpan.FromSeconds(60));

        await ExpectAsync(run, async () =>
        {
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("Hello from the mock upstream.", run.Stdout, StringComparison.Ordinal);
            var record = await InterceptionAsync(i => HasPrompt(i, prompt));
            Assert.Equal(("completed", "openai", "Codex"), (Text(record, "status"), Text(record, "provider"), Text(record, "client")));
            Assert.Equal("proxied-codex", record.GetProperty("user").GetProperty("name").GetString());
            Assert.Equal("proxy", record.GetProperty("metadata").GetProperty("via").GetString());
            Assert.Equal((100, 20, 30, 0, 5), ChatCompletionsTests.Tokens(Assert.Single(record.GetProperty("token_usages").EnumerateArray())));
            var exchange = Upstream.Exchanges.First(e => Encoding.UTF8.GetString(e.RequestBody).Contains(prompt, StringComparison.Ordinal));
            Assert.Equal(("/openai/v1/responses", "Bearer " + GatewayUnderTest.OpenAIUpstreamKey), (exchange.Path, exchange.Headers["authorization"]));
            AssertNoClientSecretUpstream(key, CodexPlaceholder);
        });
    }

    /// <summary>Neither the proxy key nor the client's placeholder key reached the upstream in any exchange.</summary>
    private void AssertNoClientSecretUpstream(string key, string placeholder)
    {
        Assert.NotEmpty(Upstream.Exchanges);
        Assert.All(Upstream.Exchanges, e => Assert.DoesNotContain(e.Headers.Values,
            v => v.Contains(placeholder, StringComparison.Ordinal) || v.Contains(key, StringComparison.Ordinal)));
    }
}

using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.MockUpstream;

namespace Bridgekeeper.EndToEndTests.Providers;

/// <summary>
/// Bedrock through the real executable: <c>server --demo</c> has a working <c>bedrock</c> provider on the built-in
/// stand-in, and without static keys the gateway signs with the AWS default credential chain (here: temporary
/// credentials from the environment, so <c>X-Amz-Security-Token</c> is sent and signed).
/// </summary>
public sealed partial class BedrockProcessTests
{
    private const string Request = """{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hello bedrock"}]}""";

    [Fact]
    public async Task Demo_TheBedrockProviderAnswersThroughTheStandIn()
    {
        var ct = TestContext.Current.CancellationToken;
        var (server, url, key) = await ExecutableProcess.StartDemoAsync();
        await using var _ = server;
        using var client = new HttpClient { BaseAddress = url };
        client.DefaultRequestHeaders.Add("x-api-key", key);

        using var response = await client.SendAsync(Wire.Post("/bedrock/v1/messages", Request), ct);

        Assert.True(response.StatusCode == HttpStatusCode.OK, server.Output);
        Assert.Equal("message", JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("type").GetString());
        Assert.Contains("/bedrock", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoStaticKeys_TheDefaultChainsTemporaryCredentialsSignWithTheSessionToken()
    {
        var ct = TestContext.Current.CancellationToken;
        const string token = "IQoJb3JpZ2luX2VjEMockSessionToken/+=";
        await using var upstream = await MockUpstreamServer.StartAsync(new MockUpstreamOptions { Bedrock = new MockBedrockOptions { SessionToken = token } }, ct);
        var folder = Directory.CreateTempSubdirectory("bk-chain-").FullName;
        await using var server = ExecutableProcess.Start(["server", "--http-address", "127.0.0.1:0", "--database", Path.Combine(folder, "bk.db")],
            new Dictionary<string, string>
            {
                ["HOME"] = folder,                                   // no shared profile of the machine's user
                ["AWS_ACCESS_KEY_ID"] = MockBedrockOptions.DefaultAccessKeyId,
                ["AWS_SECRET_ACCESS_KEY"] = MockBedrockOptions.DefaultSecretAccessKey,
                ["AWS_SESSION_TOKEN"] = token,
                ["BRIDGEKEEPER_BEDROCK_REGION"] = MockBedrockOptions.DefaultRegion,
                ["BRIDGEKEEPER_BEDROCK_MODEL"] = GatewayUnderTest.BedrockModel,
                ["BRIDGEKEEPER_BEDROCK_BASE_URL"] = upstream.BedrockBaseUrl.AbsoluteUri,
            });
        var url = await server.ListeningUrlAsync();
        var key = (await server.WaitForLineAsync(AdminKey())).Groups[1].Value;
        using var client = new HttpClient { BaseAddress = url };
        client.DefaultRequestHeaders.Add("x-api-key", key);

        using var response = await client.SendAsync(Wire.Post("/bedrock/v1/messages", Request), ct);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(ct) + "\n" + server.Output);
        var sent = Assert.Single(upstream.Exchanges);
        Assert.Equal(token, sent.Headers["x-amz-security-token"]);
        Assert.Contains("x-amz-security-token", sent.Headers["authorization"], StringComparison.Ordinal);
        Assert.DoesNotContain(MockBedrockOptions.DefaultSecretAccessKey, server.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\s+(bk_[A-Za-z0-9_-]+)\s*$")]
    private static partial Regex AdminKey();
}

using Bridgekeeper.Providers;
using Bridgekeeper.Providers.Upstreams.Bedrock;
using Microsoft.Extensions.Time.Testing;

namespace Bridgekeeper.Tests.Providers.Bedrock;

/// <summary>
/// What the SDK's signer is asked to sign and what goes on the wire agree: the model id encoded once in the path, the
/// scope naming <c>bedrock</c> and the region, <c>host</c> and the session token signed. Whether the signature itself is
/// right is checked end to end by the Bedrock stand-in, which verifies SigV4 independently.
/// </summary>
public sealed class BedrockSignerTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 12, 3, 10, 20, 30, TimeSpan.Zero));

    private static BedrockSigner Signer(string? token = null, string endpoint = "https://bedrock-runtime.eu-west-1.amazonaws.com/") =>
        new(new BedrockSettings("eu-west-1", "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token, null, null, new Dictionary<string, string>()),
            new Uri(endpoint), Clock);

    [Theory]
    [InlineData("anthropic.claude-sonnet-4-5-20250929-v1:0", false, "/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke")]
    [InlineData("arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0", true,
        "/model/arn%3Aaws%3Abedrock%3Aeu-west-1%3A123456789012%3Ainference-profile%2Feu.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke-with-response-stream")]
    public async Task Sign_TheModelIdIsOneEncodedSegment_TheScopeIsBedrockInTheRegion(string modelId, bool stream, string path)
    {
        var signed = await Signer().SignAsync(modelId, stream, "{}"u8.ToArray(), TestContext.Current.CancellationToken);

        Assert.Equal(path, signed.Uri.AbsolutePath);
        Assert.Equal("bedrock-runtime.eu-west-1.amazonaws.com", signed.Headers["host"]);
        Assert.Equal("20261203T102030Z", signed.Headers["X-Amz-Date"]);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261203/eu-west-1/bedrock/aws4_request, SignedHeaders=", signed.Headers["Authorization"]);
        Assert.Contains("SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date, Signature=", signed.Headers["Authorization"]);
        Assert.Equal("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", signed.Headers["X-Amz-Content-SHA256"]);   // SHA-256 of "{}"
    }

    [Fact]
    public async Task Sign_TemporaryCredentials_SendAndSignTheSessionToken()
    {
        var signed = await Signer(token: "FQoGZXIvYXdzEJr//////////wEaDGF4").SignAsync("anthropic.claude-3-haiku-20240307-v1:0", false, [],
            TestContext.Current.CancellationToken);

        Assert.Equal("FQoGZXIvYXdzEJr//////////wEaDGF4", signed.Headers["X-Amz-Security-Token"]);
        Assert.Contains(";x-amz-security-token, Signature=", signed.Headers["Authorization"]);
    }

    [Fact]
    public async Task Sign_ABaseUrlWithAPathPrefix_KeepsThePrefix()
    {
        var signed = await Signer(endpoint: "http://127.0.0.1:9000/bedrock/").SignAsync("anthropic.claude-3-haiku-20240307-v1:0", false, [],
            TestContext.Current.CancellationToken);

        Assert.Equal("http://127.0.0.1:9000/bedrock/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke", signed.Uri.AbsoluteUri);
        Assert.Equal("127.0.0.1:9000", signed.Headers["host"]);
    }
}

/// <summary>The gateway's signing (AWSSDK.Core) checked by the mock's hand-written SigV4 verifier, which shares no code with it.</summary>
public sealed class BedrockSignatureVerifiedTests
{
    [Theory]
    [InlineData("https://bedrock-runtime.us-east-1.amazonaws.com/", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", false, null)]
    [InlineData("http://127.0.0.1:38435/bedrock/", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", true, null)]
    [InlineData("http://127.0.0.1:38435/bedrock", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0", false, "TOKEN/+=")]
    public async Task Signed_IsAcceptedByAnIndependentVerifier(string baseUrl, string modelId, bool stream, string? token)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 10, 20, 30, TimeSpan.Zero));
        var account = new Bridgekeeper.MockUpstream.MockBedrockOptions { SessionToken = token };
        var signer = new BedrockSigner(new BedrockSettings(account.Region, account.AccessKeyId, account.SecretAccessKey, token, null, null,
            new Dictionary<string, string>()), new Uri(baseUrl), clock);
        var body = "{\"max_tokens\":5}"u8.ToArray();

        var signed = await signer.SignAsync(modelId, stream, body, TestContext.Current.CancellationToken);

        var headers = new Microsoft.AspNetCore.Http.HeaderDictionary();
        foreach (var (name, value) in signed.Headers)
            headers[name] = value;
        var error = Bridgekeeper.MockUpstream.BedrockSigV4.Verify(new Bridgekeeper.MockUpstream.SigV4Request("POST", signed.Uri.PathAndQuery, headers, body),
            account, clock.GetUtcNow());
        Assert.True(error is null, $"{error?.Message}\n{string.Join("\n", signed.Headers.Select(h => h.Key + ": " + h.Value))}");
    }
}

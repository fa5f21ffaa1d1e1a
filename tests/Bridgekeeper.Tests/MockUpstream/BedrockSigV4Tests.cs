using Bridgekeeper.MockUpstream;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Bridgekeeper.Tests.MockUpstream;

/// <summary>
/// The mock's SigV4 check against the AWS Signature Version 4 test suite (the header-signing cases of
/// awslabs/aws-c-auth <c>tests/aws-signing-test-suite/v4</c>, the <c>normalize: true</c> variants that every service but
/// S3 uses). The suite's requests carry unencoded paths; encoding one of them once is what the service's second
/// encoding does to a path that arrived encoded, so these cases pin the encoder, the normalization and the rest.
/// </summary>
public sealed class BedrockSigV4Tests
{
    private const string AccessKey = "AKIDEXAMPLE";
    private const string AmzDate = "20150830T123600Z";
    private const string EmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string Token =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

    private static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    private static readonly MockBedrockOptions SuiteAccount = new()
    {
        AccessKeyId = AccessKey,
        SecretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Region = "us-east-1",
    };

    /// <summary>name, method, request target, extra headers (name: value, repeats allowed), signed headers, signature.</summary>
    public static TheoryData<string, string, string, string[], string, string> Suite => new()
    {
        { "get-vanilla", "GET", "/", [], "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
        { "post-vanilla", "POST", "/", [], "host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b" },
        { "get-vanilla-query-order-key-case", "GET", "/?Param2=value2&Param1=value1", [], "host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500" },
        {
            "get-vanilla-query-unreserved", "GET",
            "/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            [], "host;x-amz-date", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"
        },
        { "get-vanilla-utf8-query", "GET", "/?\u1234=bar", [], "host;x-amz-date", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04" },
        { "get-unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", [], "host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f" },
        { "get-utf8", "GET", "/\u1234", [], "host;x-amz-date", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85" },
        { "get-space-normalized", "GET", "/example space/", [], "host;x-amz-date", "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741" },
        { "get-relative-normalized", "GET", "/example/..", [], "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
        { "get-relative-relative-normalized", "GET", "/example1/example2/../..", [], "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
        { "get-slash-dot-slash-normalized", "GET", "/./", [], "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
        { "get-slash-normalized", "GET", "//", [], "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
        { "get-slash-pointless-dot-normalized", "GET", "/./example", [], "host;x-amz-date", "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5" },
        { "get-slashes-normalized", "GET", "//example//", [], "host;x-amz-date", "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84" },
        { "post-header-value-case", "POST", "/", ["My-Header1: VALUE1"], "host;my-header1;x-amz-date", "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d" },
        {
            "get-header-key-duplicate", "GET", "/", ["My-Header1: value2", "My-Header1: value2", "My-Header1: value1"],
            "host;my-header1;x-amz-date", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"
        },
        {
            "get-header-value-order", "GET", "/", ["My-Header1: value4", "My-Header1: value1", "My-Header1: value3", "My-Header1: value2"],
            "host;my-header1;x-amz-date", "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"
        },
        {
            "get-header-value-trim", "GET", "/", ["My-Header1:  value1", "My-Header2:  \"a   b   c\""],
            "host;my-header1;my-header2;x-amz-date", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"
        },
        { "post-sts-header-before", "POST", "/", [$"X-Amz-Security-Token: {Token}"], "host;x-amz-date;x-amz-security-token", "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead" },
    };

    [Theory]
    [MemberData(nameof(Suite))]
    public void Verify_AwsTestSuite_Accepts(string name, string method, string target, string[] extra, string signedHeaders, string signature)
    {
        var account = name.Contains("sts", StringComparison.Ordinal) ? SuiteAccount with { SessionToken = Token } : SuiteAccount;
        var request = SuiteRequest(method, target, extra, signedHeaders, signature);

        Assert.Null(BedrockSigV4.Verify(request, account, SuiteTime, service: "service"));
    }

    [Theory]
    [MemberData(nameof(Suite))]
    public void Verify_AwsTestSuiteWithOneSignatureDigitChanged_RefusesWithTheCanonicalRequest(string name, string method, string target, string[] extra,
        string signedHeaders, string signature)
    {
        var account = name.Contains("sts", StringComparison.Ordinal) ? SuiteAccount with { SessionToken = Token } : SuiteAccount;
        var changed = (signature[0] == '0' ? "1" : "0") + signature[1..];

        var error = BedrockSigV4.Verify(SuiteRequest(method, target, extra, signedHeaders, changed), account, SuiteTime, service: "service");

        Assert.NotNull(error);
        Assert.Equal((403, BedrockError.InvalidSignature), (error.Status, error.Type));
        Assert.Contains("The Canonical String for this request should have been", error.Message);
    }

    [Fact]
    public void CanonicalRequest_HeaderValueTrim_IsTheSuiteText()
    {
        var request = SuiteRequest("GET", "/", ["My-Header1:  value1", "My-Header2:  \"a   b   c\""], "host;my-header1;my-header2;x-amz-date", "x");

        var canonical = BedrockSigV4.CanonicalRequest(request, ["host", "my-header1", "my-header2", "x-amz-date"]);

        Assert.Equal($"GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:{AmzDate}\n\n"
            + $"host;my-header1;my-header2;x-amz-date\n{EmptyHash}", canonical);
    }

    [Fact]
    public void StringToSign_GetVanilla_IsTheSuiteText()
    {
        var canonical = BedrockSigV4.CanonicalRequest(SuiteRequest("GET", "/", [], "host;x-amz-date", "x"), ["host", "x-amz-date"]);

        Assert.Equal($"AWS4-HMAC-SHA256\n{AmzDate}\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            BedrockSigV4.StringToSign(AmzDate, "20150830/us-east-1/service/aws4_request", canonical));
    }

    [Theory]
    [InlineData("/model/anthropic.claude-sonnet-4-5-20250929-v1:0/invoke", "/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke")]
    [InlineData("/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke", "/model/anthropic.claude-sonnet-4-5-20250929-v1%253A0/invoke")]
    [InlineData("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-opus-4-6-v1/invoke",
        "/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A123456789012%253Ainference-profile%252Fus.anthropic.claude-opus-4-6-v1/invoke")]
    [InlineData("/bedrock/model/us.anthropic.claude-haiku-4-5-20251001-v1:0/invoke-with-response-stream",
        "/bedrock/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke-with-response-stream")]
    public void CanonicalUri_WirePath_IsEncodedAgain(string wire, string canonical) =>
        Assert.Equal(canonical, BedrockSigV4.CanonicalUri(wire));

    private static SigV4Request SuiteRequest(string method, string target, string[] extra, string signedHeaders, string signature)
    {
        IHeaderDictionary headers = new HeaderDictionary { ["Host"] = "example.amazonaws.com", ["X-Amz-Date"] = AmzDate };
        foreach (var line in extra)
        {
            var colon = line.IndexOf(':');
            var (name, value) = (line[..colon], line[(colon + 1)..].Trim());
            headers[name] = StringValues.Concat(headers[name], value);
        }
        headers.Authorization = $"AWS4-HMAC-SHA256 Credential={AccessKey}/20150830/us-east-1/service/aws4_request, SignedHeaders={signedHeaders}, Signature={signature}";
        return new SigV4Request(method, target, headers, ReadOnlyMemory<byte>.Empty);
    }
}

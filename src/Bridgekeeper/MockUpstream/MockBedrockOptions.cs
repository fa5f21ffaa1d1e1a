namespace Bridgekeeper.MockUpstream;

/// <summary>
/// The AWS account the Bedrock stand-in believes in: the one access key it knows, its secret, the region it serves,
/// and, for temporary credentials, the session token every request must carry. The defaults are what the demo and
/// the tests sign with; they are no real AWS credentials.
/// </summary>
internal sealed record MockBedrockOptions
{
    public const string DefaultAccessKeyId = "AKIAMOCKBEDROCK00000";
    public const string DefaultSecretAccessKey = "mockBedrockSecretKey/NotAnAwsSecret00000";
    public const string DefaultRegion = "us-east-1";

    public string AccessKeyId { get; init; } = DefaultAccessKeyId;
    public string SecretAccessKey { get; init; } = DefaultSecretAccessKey;
    public string Region { get; init; } = DefaultRegion;

    /// <summary>When set, the credentials are temporary: <c>X-Amz-Security-Token</c> must be this value (otherwise it must be absent).</summary>
    public string? SessionToken { get; init; }

    /// <summary>Added to the system clock when checking <c>X-Amz-Date</c> (a mock that runs ahead or behind, for skew tests).</summary>
    public TimeSpan ClockOffset { get; init; }
}

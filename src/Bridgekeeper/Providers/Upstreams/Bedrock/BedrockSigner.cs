using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;

namespace Bridgekeeper.Providers.Upstreams.Bedrock;

/// <summary>
/// Signs Bedrock Runtime calls with AWSSDK.Core's SigV4 signer (signing name <c>bedrock</c>): the SDK builds the wire
/// path from the model id (encoded once) and signs its canonical form (each segment encoded again), so what is sent
/// and what is signed cannot differ. Credentials are the instance's static keys, or the AWS default chain
/// (environment, shared profile, web identity, container and instance roles) when it has none; a session token is
/// sent and signed as <c>X-Amz-Security-Token</c>.
/// </summary>
internal sealed class BedrockSigner(BedrockSettings settings, Uri baseUrl, TimeProvider time)
{
    public const string SigningName = "bedrock";

    /// <summary>
    /// The base URL without its trailing slash: the SDK signs the endpoint's path followed by <c>/model/…</c>, so a base
    /// path ending in <c>/</c> would be signed as <c>/prefix//model/…</c> while <c>/prefix/model/…</c> is sent.
    /// </summary>
    private readonly Uri _endpoint = new(baseUrl.AbsoluteUri.TrimEnd('/'));

    private readonly SigningConfig _config = new(settings.Region);
    private readonly AWSCredentials? _static = settings.HasStaticCredentials
        ? settings.SessionToken is { } token
            ? new SessionAWSCredentials(settings.AccessKeyId, settings.SecretAccessKey, token)
            : new BasicAWSCredentials(settings.AccessKeyId, settings.SecretAccessKey)
        : null;

    /// <summary>A model operation of Bedrock Runtime: <c>/model/{modelId}/{operation}</c>.</summary>
    public static class Operations
    {
        public const string Invoke = "invoke";
        public const string InvokeStream = "invoke-with-response-stream";
        public const string CountTokens = "count-tokens";
    }

    /// <summary>The signed request: its URI and the headers to send exactly as signed (host included).</summary>
    public Task<SignedRequest> SignAsync(string modelId, bool stream, byte[] body, CancellationToken cancellationToken) =>
        SignAsync(modelId, stream ? Operations.InvokeStream : Operations.Invoke, body, cancellationToken);

    /// <inheritdoc cref="SignAsync(string, bool, byte[], CancellationToken)"/>
    public async Task<SignedRequest> SignAsync(string modelId, string operation, byte[] body, CancellationToken cancellationToken)
    {
        var credentials = await (_static ?? await new DefaultAWSCredentialsIdentityResolver().ResolveIdentityAsync(_config, cancellationToken))
            .GetCredentialsAsync();
        var request = new DefaultRequest(new Unnamed(), "BedrockRuntime")
        {
            HttpMethod = "POST",
            Endpoint = _endpoint,
            ResourcePath = "/model/{modelId}/" + operation,
            Content = body,
            AuthenticationRegion = settings.Region,
            OverrideSigningServiceName = SigningName,
        };
        request.AddPathResource("{modelId}", modelId);
        request.Headers["Content-Type"] = "application/json";
        request.Headers["Accept"] = operation == Operations.InvokeStream ? "application/vnd.amazon.eventstream" : "application/json";
        if (credentials.UseToken)
            request.Headers["X-Amz-Security-Token"] = credentials.Token;
        var signed = new AWS4Signer().SignRequest(request, _config, null, credentials.AccessKey, credentials.SecretKey, time.GetUtcNow().UtcDateTime);
        request.Headers["Authorization"] = signed.ForAuthorizationHeader;
        return new SignedRequest(AmazonServiceClient.ComposeUrl(request), request.Headers);
    }

    /// <summary>A signed call: where it goes and every header that must go with it unchanged.</summary>
    internal sealed record SignedRequest(Uri Uri, IDictionary<string, string> Headers);

    private sealed class Unnamed : AmazonWebServiceRequest;

    /// <summary>The client configuration the signer and the credential chain read: only the region and the signing name matter.</summary>
    private sealed class SigningConfig : ClientConfig
    {
        public SigningConfig(string region)
            : base(new DefaultConfigurationProvider([new DefaultConfiguration { Name = DefaultConfigurationMode.Standard, RetryMode = RequestRetryMode.Standard }]))
        {
            AuthenticationRegion = region;
            AuthenticationServiceName = SigningName;
            RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }

        public override string ServiceVersion => "2023-09-30";
        public override string UserAgent => "bridgekeeper";
        public override string RegionEndpointServiceName => "bedrock-runtime";

        public override Amazon.Runtime.Endpoints.Endpoint DetermineServiceOperationEndpoint(ServiceOperationEndpointParameters parameters) =>
            throw new NotSupportedException("Bedrock requests are addressed by the gateway, not resolved by the SDK.");
    }
}

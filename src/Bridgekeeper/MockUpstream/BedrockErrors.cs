using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using K = Bridgekeeper.MockUpstream.MockWireKeys;

namespace Bridgekeeper.MockUpstream;

/// <summary>One Bedrock error answer: status, the type named in <c>x-amzn-ErrorType</c>, and the body's message.</summary>
internal sealed record BedrockError(int Status, string Type, string Message)
{
    /// <summary>Errors of the AWS front door (authentication, signing) carry Coral's own namespace.</summary>
    public const string CoralNamespace = "http://internal.amazon.com/coral/com.amazon.coral.service/";

    /// <summary>Errors of the service itself (validation, throttling, the model) carry Bedrock's.</summary>
    public const string BedrockNamespace = "http://internal.amazon.com/coral/com.amazon.bedrock/";

    public const string ErrorTypeHeader = "x-amzn-ErrorType";
    public const string RequestIdHeader = "x-amzn-RequestId";

    public const string InvalidSignature = "InvalidSignatureException";
    public const string IncompleteSignature = "IncompleteSignatureException";
    public const string UnrecognizedClient = "UnrecognizedClientException";
    public const string MissingAuthenticationToken = "MissingAuthenticationTokenException";
    public const string Validation = "ValidationException";
    public const string Throttling = "ThrottlingException";

    private static readonly HashSet<string> CoralTypes = [InvalidSignature, IncompleteSignature, UnrecognizedClient, MissingAuthenticationToken];

    /// <summary><c>Type:namespace</c>, as the header carries it.</summary>
    public string ErrorType => Type + ":" + (CoralTypes.Contains(Type) ? CoralNamespace : BedrockNamespace);

    public static BedrockError Forbidden(string type, string message) => new(StatusCodes.Status403Forbidden, type, message);

    public static BedrockError BadRequest(string message) => new(StatusCodes.Status400BadRequest, Validation, message);

    /// <summary>What Bedrock answers with this status before anything else (the <c>error_before</c> scenario; 429 by default).</summary>
    public static BedrockError ForStatus(int status) => status switch
    {
        400 => BadRequest("Malformed input request, please reformat your input and try again."),
        403 => new(status, "AccessDeniedException", "You don't have access to the model with the specified model ID."),
        404 => new(status, "ResourceNotFoundException", "Could not resolve the foundation model from the provided model identifier."),
        408 => new(status, "ModelTimeoutException", "Model has timed out in processing the request. Try your request again."),
        424 => new(status, "ModelErrorException", "The model returned an error. Try your request again."),
        429 => new(status, Throttling, "Too many requests, please wait before trying again."),
        503 or 529 => new(StatusCodes.Status503ServiceUnavailable, "ServiceUnavailableException", "Bedrock is unable to process your request."),
        >= 500 => new(status, "InternalServerException", "The system encountered an unexpected error during processing. Try your request again."),
        _ => new(status, Validation, $"Mock error with status {status}."),
    };

    public Task WriteAsync(MockCall call) =>
        call.WriteJsonAsync(Status, new JsonObject { [K.Message] = Message },
            [new(ErrorTypeHeader, ErrorType), new(RequestIdHeader, Guid.NewGuid().ToString("D"))]);
}

/// <summary>The exceptions Bedrock sends inside a stream after its 200 (<c>:message-type: exception</c>), by <c>:exception-type</c>.</summary>
internal static class BedrockStreamExceptions
{
    /// <summary>Request header naming the exception of the <c>error_mid</c> scenario (default <see cref="ModelStreamError"/>).</summary>
    public const string Header = "x-mock-bedrock-exception";

    public const string ModelStreamError = "modelStreamErrorException";

    public static readonly IReadOnlyDictionary<string, string> Messages = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [ModelStreamError] = "The system encountered an unexpected error during processing. Try your request again.",
        ["throttlingException"] = "Too many tokens, please wait before trying again.",
        ["validationException"] = "Input is too long for requested model.",
        ["internalServerException"] = "The system encountered an unexpected error during processing. Try your request again.",
        ["modelTimeoutException"] = "Model has timed out in processing the request. Try your request again.",
        ["serviceUnavailableException"] = "Bedrock is unable to process your request.",
    };
}

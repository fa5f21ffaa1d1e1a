using System.Text.Json;
using Bridgekeeper.Providers;
using Bridgekeeper.Streaming;
using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.Interception;

/// <summary>Where a failure happened: reading the client's request, sending upstream (no answer yet), or reading the upstream's answer.</summary>
internal enum FailurePhase { Request, UpstreamSend, UpstreamResponse }

/// <summary>What a failure means: the outcome the record gets, and the error the client gets (null when the client left).</summary>
/// <param name="Unexpected">True for a fault of the gateway itself (a bug), logged with its exception.</param>
internal readonly record struct Failure(Outcome Outcome, GatewayError? Error, bool Unexpected = false);

/// <summary>
/// The one place that maps every failure of an intercepted request to the outcome it records and the provider-shaped
/// error the client gets: 400 (or 413) for a request that cannot be read, 502 for an upstream that failed (a value from
/// the upstream, <see cref="Of"/>) or sent what cannot be read, 503 for a database that cannot be reached, 504 for an
/// idle timeout, 500 for a fault of the gateway itself. <c>canceled</c> only ever means the client left; every other
/// failure is <c>failed</c> with its real reason.
/// </summary>
internal static class Failures
{
    /// <summary>Kestrel's message when the client closed its connection before the request body was complete.</summary>
    private const string IncompleteBody = "Unexpected end of request content";

    public static Failure Classify(Exception exception, CancellationToken clientAborted, IdleTimeout? idle, FailurePhase phase)
    {
        if (clientAborted.IsCancellationRequested || ClientLeftMidRequest(exception, phase))
            return new(Outcome.Canceled(phase is FailurePhase.Request ? "client disconnected while sending the request" : "client disconnected"), null);
        return exception switch
        {
            OperationCanceledException when idle is { TimedOut: true } => new(
                Outcome.Failed("upstream_timeout: nothing arrived from the upstream within the idle timeout"),
                GatewayError.Timeout("The upstream went silent for longer than the gateway's idle timeout.")),
            System.Data.Common.DbException => new(
                Outcome.Failed($"database_unavailable: {exception.Message}"),
                GatewayError.Unavailable("The gateway cannot reach its database right now; retry shortly.")),
            BadHttpRequestException bad => new(
                Outcome.Failed($"invalid_request_error: the request could not be read ({bad.Message})"),
                new GatewayError(bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : 400, "invalid_request_error", $"The request could not be read: {bad.Message}")),
            JsonException or InvalidOperationException { Source: "System.Text.Json" } when phase is FailurePhase.UpstreamResponse => new(
                Outcome.Failed($"upstream_invalid: the upstream sent JSON the gateway cannot read ({exception.Message})"),
                GatewayError.BadGateway("The upstream sent a response the gateway cannot read.")),
            _ => new(
                Outcome.Failed($"gateway_error: {exception.GetType().Name}: {exception.Message}"),
                new GatewayError(500, "api_error", "The gateway failed while handling this request; the failure is logged.", "internal_error"),
                Unexpected: true),
        };
    }

    /// <summary>The client's connection ended before its request body did (Kestrel reports it before it flags the abort).</summary>
    private static bool ClientLeftMidRequest(Exception exception, FailurePhase phase) =>
        phase is FailurePhase.Request && exception switch
        {
            BadHttpRequestException bad => bad.Message.StartsWith(IncompleteBody, StringComparison.Ordinal),
            IOException => true,
            _ => false,
        };

    /// <summary>
    /// A transport failure the upstream reported as a value (<see cref="UpstreamFailure"/>): 502 when it could not be
    /// reached or broke off, 504 when it did not answer in time, 503 with <c>Retry-After</c> while its circuit is open
    /// (nothing was sent), 400 for a request it cannot take as it stands.
    /// </summary>
    public static Failure Of(UpstreamFailure failure, CancellationToken clientAborted) => clientAborted.IsCancellationRequested || failure.Error is UpstreamError.Client
        ? new(Outcome.Canceled("client disconnected"), null)
        : failure.Error switch
        {
            UpstreamError.Request => new(
                Outcome.Failed($"upstream_unreachable: {failure.Detail}"),
                GatewayError.BadGateway("The upstream provider could not be reached.")),
            UpstreamError.ResponseBody => new(
                Outcome.Failed($"upstream_broken: the upstream connection failed mid-response ({failure.Detail})"),
                GatewayError.BadGateway("The upstream connection failed mid-response.")),
            UpstreamError.RequestTimedOut => new(
                Outcome.Failed($"upstream_timeout: {failure.Detail}"),
                GatewayError.Timeout("The upstream provider did not answer in time.")),
            UpstreamError.Unavailable => new(
                Outcome.Failed($"upstream_circuit_open: {failure.Detail}"),
                CircuitOpen(failure)),
            _ => new(
                Outcome.Failed($"invalid_request_error: {failure.Detail}"),
                GatewayError.InvalidRequest("The request cannot be forwarded to this provider as it stands (its query string).")),
        };

    /// <summary>The answer while an upstream's circuit is open: 503, and when to try again.</summary>
    public static GatewayError CircuitOpen(UpstreamFailure failure) =>
        GatewayError.Unavailable("The upstream provider failed repeatedly; the gateway is not sending it requests for now. Retry later.")
            with { RetryAfter = failure.RetryAfter };

    /// <summary>
    /// Tells the client: before the response started, the error in the provider's shape with its status; inside a
    /// started event stream, the provider's in-stream error frame; inside a started plain body, which cannot be mended,
    /// an aborted connection. Never throws.
    /// </summary>
    public static async Task ReportAsync(HttpContext http, IApiDialect dialect, GatewayError? error)
    {
        if (error is null || http.RequestAborted.IsCancellationRequested)
            return;
        try
        {
            if (!http.Response.HasStarted)
            {
                http.Response.Clear();
                await GatewayErrors.WriteAsync(http.Response, dialect, error, http.RequestAborted);
            }
            else if (http.Response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true)
                await http.Response.BodyWriter.WriteAsync(dialect.StreamErrorFrame(error), http.RequestAborted);
            else
                http.Abort();
        }
        catch (Exception)
        {
            http.Abort();
        }
    }
}

using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.Api;

/// <summary>An expected failure of an API call or a CLI command: an HTTP status, a stable code and a message for people.</summary>
internal sealed record ApiError(int Status, string Code, string Message)
{
    public static ApiError BadRequest(string message) => new(StatusCodes.Status400BadRequest, "bad_request", message);

    public static ApiError Unauthorized(string message) => new(StatusCodes.Status401Unauthorized, "unauthorized", message);

    public static ApiError Forbidden(string message) => new(StatusCodes.Status403Forbidden, "forbidden", message);

    public static ApiError NotFound(string message) => new(StatusCodes.Status404NotFound, "not_found", message);

    public static ApiError Conflict(string message) => new(StatusCodes.Status409Conflict, "conflict", message);

    public static ApiError TooManyRequests(string message) => new(StatusCodes.Status429TooManyRequests, "too_many_requests", message);

    public static ApiError Unavailable(string message) => new(StatusCodes.Status503ServiceUnavailable, "unavailable", message);

    public IResult ToResult() =>
        Results.Json(new ErrorResponse(new ErrorBody(Code, Message)), ApiJsonContext.Default.ErrorResponse, statusCode: Status);
}

using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.Api;

/// <summary>The JSON bodies of the REST API's changes: at most 64 KiB, of the route's shape.</summary>
internal static class RequestBodies
{
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>The JSON body, or null when the body is empty; a body that is not JSON of this shape is a 400.</summary>
    public static async Task<(T? Value, ApiError? Error)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (context.Request.ContentLength > MaxBodyBytes)
            return (null, ApiError.BadRequest($"The request body is larger than {MaxBodyBytes} bytes."));
        var buffer = new byte[MaxBodyBytes + 1];
        var length = await context.Request.Body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, context.RequestAborted);
        if (length > MaxBodyBytes)
            return (null, ApiError.BadRequest($"The request body is larger than {MaxBodyBytes} bytes."));
        if (buffer.AsSpan(0, length).Trim(" \t\r\n"u8).IsEmpty)
            return (null, null);
        try
        {
            return (JsonSerializer.Deserialize(buffer.AsSpan(0, length), typeInfo), null);
        }
        catch (JsonException e)
        {
            return (null, ApiError.BadRequest($"The request body is not valid JSON for this route: {e.Message}"));
        }
    }
}

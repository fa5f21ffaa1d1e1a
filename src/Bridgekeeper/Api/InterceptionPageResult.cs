using System.Buffers;
using System.Text.Json;
using Bridgekeeper.Storage;
using Microsoft.AspNetCore.Http;

namespace Bridgekeeper.Api;

/// <summary>
/// <c>GET /api/v1/interceptions</c> written as it is read, so memory does not grow with the page: the page's rows come
/// without children (<see cref="AuditStore.ListRowsAsync"/>), their children are loaded <see cref="ChunkSize"/> rows at
/// a time, and each interception is serialized on its own and written to the response body, which is flushed every
/// <see cref="FlushBytes"/>. The JSON is byte for byte what serializing the whole <see cref="InterceptionPage"/> (or <see cref="SessionThread"/>) gives.
/// <para>
/// A page is also capped in bytes: a row that would take the body past <see cref="MaxPageBytes"/> is not written, and
/// <c>next_cursor</c> points after the last row that was, so the client's next request starts with it (a page may be
/// shorter than <c>limit</c>; at least one row is always written, however large). A failure after the first bytes were
/// sent aborts the response, so a client never takes a cut-off page for a whole one.
/// </para>
/// </summary>
/// <param name="session">For a session's thread (<c>GET /api/v1/sessions/{id}</c>): written as <c>"session"</c> before the interceptions.</param>
internal sealed class InterceptionPageResult(AuditStore store, InterceptionRows page, SessionSummary? session = null) : IResult
{
    /// <summary>The most JSON one page holds (16 MiB), unless its first row alone is larger.</summary>
    public const int MaxPageBytes = 16 * 1024 * 1024;

    /// <summary>Rows whose children are loaded together (one query per child table).</summary>
    public const int ChunkSize = 50;

    /// <summary>Written bytes the body holds before it is flushed to the client.</summary>
    public const int FlushBytes = 64 * 1024;

    /// <summary>Room kept for the end of the body: <c>],"next_cursor":"</c> + 32 hex digits + <c>"}</c> is 51 bytes.</summary>
    private const int TailBytes = 64;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var cancellationToken = httpContext.RequestAborted;
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var body = response.BodyWriter;
        var row = new ArrayBufferWriter<byte>();
        await using var json = new Utf8JsonWriter(body);
        await using var rowJson = new Utf8JsonWriter(row);
        json.WriteStartObject();
        if (session is not null)
        {
            json.WritePropertyName("session");
            JsonSerializer.Serialize(json, session, ApiJsonContext.Default.SessionSummary);
        }
        json.WriteStartArray("interceptions");

        Guid? last = null;
        var cut = false;
        for (var start = 0; start < page.Rows.Count && !cut; start += ChunkSize)
        {
            var chunk = await store.WithChildrenAsync([.. page.Rows.Skip(start).Take(ChunkSize)], cancellationToken);
            foreach (var view in chunk)
            {
                row.ResetWrittenCount();
                rowJson.Reset(row);
                JsonSerializer.Serialize(rowJson, view, ApiJsonContext.Default.InterceptionView);
                rowJson.Flush();
                if (last is not null && json.BytesCommitted + json.BytesPending + 1 + row.WrittenCount + TailBytes > MaxPageBytes)
                {
                    cut = true;
                    break;
                }
                json.WriteRawValue(row.WrittenSpan, skipInputValidation: true);
                last = view.Id;
                if (json.BytesPending >= FlushBytes)
                {
                    json.Flush();
                    await body.FlushAsync(cancellationToken);
                }
            }
        }

        json.WriteEndArray();
        if (cut || page.More)
            json.WriteString("next_cursor", InterceptionCursor.Format(last!.Value));
        else
            json.WriteNull("next_cursor");
        json.WriteEndObject();
        json.Flush();
        await body.FlushAsync(cancellationToken);
    }
}

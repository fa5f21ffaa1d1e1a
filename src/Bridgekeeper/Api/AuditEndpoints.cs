using Bridgekeeper.Auth;
using Bridgekeeper.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Bridgekeeper.Api;

/// <summary>Read-only audit routes. Members are scoped to their own interceptions; someone else's id answers 404, so ids don't leak.</summary>
internal static class AuditEndpoints
{
    public static async Task<IResult> ListInterceptionsAsync(HttpContext context, GatewayUser caller)
    {
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var query = context.Request.Query;
        if (AuditParameters.TryInterceptionQuery(name => query[name].ToString(), now, out var filter) is { } error)
            return error.ToResult();
        var store = context.RequestServices.GetRequiredService<AuditStore>();
        var page = await store.ListRowsAsync(filter with { OnlyUserId = OnlyUser(caller) }, context.RequestAborted);
        return new InterceptionPageResult(store, page);     // streamed, and capped in bytes
    }

    public static async Task<IResult> GetInterceptionAsync(HttpContext context, GatewayUser caller)
    {
        var text = context.Request.RouteValues["id"] as string;
        if (!Guid.TryParse(text, out var id))
            return ApiError.BadRequest($"'{text}' is not an interception id.").ToResult();
        var store = context.RequestServices.GetRequiredService<AuditStore>();
        var view = await store.GetAsync(id, OnlyUser(caller), context.RequestAborted);
        return view is null
            ? ApiError.NotFound($"No interception with id '{text}'.").ToResult()
            : Results.Json(view, ApiJsonContext.Default.InterceptionView);
    }

    public static async Task<IResult> UsageAsync(HttpContext context, GatewayUser caller)
    {
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var query = context.Request.Query;
        if (AuditParameters.TryUsageQuery(name => query[name].ToString(), now, out var usage) is { } error)
            return error.ToResult();
        var format = query["format"].ToString();
        if (format is not ("" or "json" or "csv"))
            return ApiError.BadRequest($"format must be json or csv; got '{format}'.").ToResult();
        var store = context.RequestServices.GetRequiredService<AuditStore>();
        var rows = await store.UsageAsync(usage with { OnlyUserId = OnlyUser(caller) }, context.RequestAborted);
        if (format != "csv")
            return Results.Json(new UsageResponse(rows, await SpendEndpoints.VisibleBudgetsAsync(context, caller)), ApiJsonContext.Default.UsageResponse);
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"bridgekeeper-usage-by-{usage.GroupBy}.csv\"";
        return Results.Text(Csv.Usage(rows), Csv.ContentType);
    }

    /// <summary>
    /// <c>GET /api/v1/usage/summary?bucket=day|hour&amp;since=&amp;until=</c>: the usage of the range by time, provider,
    /// model, client and user, from one pass (what the dashboard's overview and spend pages show).
    /// </summary>
    public static async Task<IResult> UsageSummaryAsync(HttpContext context, GatewayUser caller)
    {
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var query = context.Request.Query;
        var bucket = query["bucket"].ToString();
        if (bucket is not ("" or UsageGroups.Day or UsageGroups.Hour))
            return ApiError.BadRequest($"bucket must be day or hour; got '{bucket}'.").ToResult();
        if (AuditParameters.TryUsageQuery(name => name == "group_by" ? bucket : query[name].ToString(), now, out var usage) is { } error)
            return error.ToResult();
        var summary = await context.RequestServices.GetRequiredService<AuditStore>()
            .UsageSummaryAsync(usage with { GroupBy = bucket is "" ? UsageGroups.Day : bucket, OnlyUserId = OnlyUser(caller) }, context.RequestAborted);
        return Results.Json(UsageSummaryResponse.From(summary, await SpendEndpoints.VisibleBudgetsAsync(context, caller)), ApiJsonContext.Default.UsageSummaryResponse);
    }

    /// <summary><c>GET /api/v1/sessions</c>: the interceptions' filters, cursor and limit; members see their own sessions.</summary>
    public static async Task<IResult> ListSessionsAsync(HttpContext context, GatewayUser caller)
    {
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var query = context.Request.Query;
        if (AuditParameters.TryInterceptionQuery(name => query[name].ToString(), now, out var filter) is { } error)
            return error.ToResult();
        var page = await context.RequestServices.GetRequiredService<SessionStore>().ListAsync(filter with { OnlyUserId = OnlyUser(caller) }, context.RequestAborted);
        return Results.Json(page, ApiJsonContext.Default.SessionPage);
    }

    /// <summary>
    /// <c>GET /api/v1/sessions/{id}?user=&amp;limit=&amp;cursor=</c>: the session and a page of its thread, oldest first,
    /// streamed and capped in bytes like a page of interceptions. Another user's session answers 404.
    /// </summary>
    public static async Task<IResult> GetSessionAsync(HttpContext context, GatewayUser caller)
    {
        var id = context.Request.RouteValues["id"] as string ?? "";
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var query = context.Request.Query;
        if (AuditParameters.TryInterceptionQuery(name => name is "user" or "limit" or "cursor" ? query[name].ToString() : null, now, out var filter) is { } error)
            return error.ToResult();
        var found = await context.RequestServices.GetRequiredService<SessionStore>().GetAsync(id, filter with { OnlyUserId = OnlyUser(caller) }, context.RequestAborted);
        return found is not { } session
            ? ApiError.NotFound($"No session with id '{id}'.").ToResult()
            : new InterceptionPageResult(context.RequestServices.GetRequiredService<AuditStore>(), session.Thread, session.Session);
    }

    internal static Guid? OnlyUser(GatewayUser caller) => Roles.SeesEverything(caller.Role) ? null : caller.Id;
}

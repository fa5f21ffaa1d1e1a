using Bridgekeeper.Auth;
using Bridgekeeper.Spend;
using Bridgekeeper.Storage;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Bridgekeeper.Api;

/// <summary>
/// Groups and budgets (<c>/api/v1/groups</c>, <c>/api/v1/budgets</c>): admins change them, auditors read them, members
/// see theirs in <c>GET /api/v1/me</c>. A change reloads this replica's budget book at once; the others read it within
/// <see cref="SpendBook.RefreshInterval"/>.
/// </summary>
internal static class SpendEndpoints
{
    public static IEndpointRouteBuilder MapSpendApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        api.MapGet("/groups", Reader(ListGroupsAsync));
        api.MapPost("/groups", ApiEndpoints.Authorized(adminOnly: true, CreateGroupAsync));
        api.MapPost("/groups/{name}/members", ApiEndpoints.Authorized(adminOnly: true, AddMemberAsync));
        api.MapDelete("/groups/{name}/members/{user}", ApiEndpoints.Authorized(adminOnly: true, RemoveMemberAsync));
        api.MapGet("/budgets", Reader(ListBudgetsAsync));
        api.MapPost("/budgets", ApiEndpoints.Authorized(adminOnly: true, CreateBudgetAsync));
        api.MapDelete("/budgets/{id}", ApiEndpoints.Authorized(adminOnly: true, DeleteBudgetAsync));
        api.MapGet("/limits", Reader(ListLimitsAsync));
        api.MapPost("/limits", ApiEndpoints.Authorized(adminOnly: true, SetLimitAsync));
        api.MapDelete("/limits/{id}", ApiEndpoints.Authorized(adminOnly: true, (context, caller) => DeletePolicyAsync(context, PolicyTable.Limits)));
        api.MapGet("/allowlists", Reader(ListAllowlistsAsync));
        api.MapPost("/allowlists", ApiEndpoints.Authorized(adminOnly: true, SetAllowlistAsync));
        api.MapDelete("/allowlists/{id}", ApiEndpoints.Authorized(adminOnly: true, (context, caller) => DeletePolicyAsync(context, PolicyTable.Allowlists)));
        return app;
    }

    public static SpendStores Stores(IServiceProvider services) =>
        new(services.GetRequiredService<UserStore>(), services.GetRequiredService<GroupStore>(), services.GetRequiredService<BudgetStore>(),
            services.GetRequiredService<RateLimitStore>());

    /// <summary><c>GET /api/v1/me</c>: the caller, their groups, and the budgets, limits and allowlists that apply to them.</summary>
    public static async Task<MeResponse> MeAsync(HttpContext context, GatewayUser caller)
    {
        var stores = Stores(context.RequestServices);
        var ct = context.RequestAborted;
        var groups = (await stores.Groups.ListAsync(ct)).Where(g => g.Members.Contains(caller.Name)).Select(g => g.Name).ToList();
        var mine = (caller.Id, caller.KeyId);
        return new MeResponse(caller.Id, caller.Name, caller.Role, groups, await SpendAccounts.DescribeAsync(stores, Now(context), mine, ct),
            await PolicyAccounts.LimitsAsync(stores, mine, ct), await PolicyAccounts.AllowlistsAsync(stores, mine, ct), Aliases(context));
    }

    /// <summary>The budgets <paramref name="caller"/> may see, with their current accounts: every budget for admins and auditors, their own for members.</summary>
    public static Task<IReadOnlyList<BudgetDto>> VisibleBudgetsAsync(HttpContext context, GatewayUser caller) =>
        SpendAccounts.DescribeAsync(Stores(context.RequestServices), Now(context), Roles.SeesEverything(caller.Role) ? null : (caller.Id, caller.KeyId),
            context.RequestAborted);

    private static async Task<IResult> ListGroupsAsync(HttpContext context, GatewayUser caller)
    {
        var groups = await context.RequestServices.GetRequiredService<GroupStore>().ListAsync(context.RequestAborted);
        return Results.Json(new GroupListResponse([.. groups.Select(GroupDto.From)]), ApiJsonContext.Default.GroupListResponse);
    }

    private static async Task<IResult> CreateGroupAsync(HttpContext context, GatewayUser caller)
    {
        var (request, bodyError) = await RequestBodies.ReadAsync(context, ApiJsonContext.Default.CreateGroupRequest);
        if (bodyError is not null)
            return bodyError.ToResult();
        var services = context.RequestServices;
        var (group, error) = await SpendAccounts.CreateGroupAsync(services.GetRequiredService<GroupStore>(), request?.Name, context.RequestAborted);
        if (error is not null)
            return error.ToResult();
        foreach (var member in request?.Members ?? [])
            if ((await ChangeAsync(context, group!.Name, member, add: true)).Error is { } memberError)
                return memberError.ToResult();
        var created = await services.GetRequiredService<GroupStore>().FindAsync(group!.Name, context.RequestAborted);
        return Results.Json(GroupDto.From(created!), ApiJsonContext.Default.GroupDto, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> AddMemberAsync(HttpContext context, GatewayUser caller)
    {
        var (request, bodyError) = await RequestBodies.ReadAsync(context, ApiJsonContext.Default.GroupMemberRequest);
        if (bodyError is not null)
            return bodyError.ToResult();
        var (group, error) = await ChangeAsync(context, Route(context, "name"), request?.User ?? "", add: true);
        return error?.ToResult() ?? Results.Json(GroupDto.From(group!), ApiJsonContext.Default.GroupDto);
    }

    private static async Task<IResult> RemoveMemberAsync(HttpContext context, GatewayUser caller)
    {
        var (group, error) = await ChangeAsync(context, Route(context, "name"), Route(context, "user"), add: false);
        return error?.ToResult() ?? Results.Json(GroupDto.From(group!), ApiJsonContext.Default.GroupDto);
    }

    private static async Task<IResult> ListBudgetsAsync(HttpContext context, GatewayUser caller)
    {
        var budgets = await SpendAccounts.DescribeAsync(Stores(context.RequestServices), Now(context), null, context.RequestAborted);
        return Results.Json(new BudgetListResponse(budgets), ApiJsonContext.Default.BudgetListResponse);
    }

    private static async Task<IResult> CreateBudgetAsync(HttpContext context, GatewayUser caller)
    {
        var (request, bodyError) = await RequestBodies.ReadAsync(context, ApiJsonContext.Default.BudgetRequest);
        if (bodyError is not null)
            return bodyError.ToResult();
        var services = context.RequestServices;
        var (budget, error) = await SpendAccounts.CreateBudgetAsync(Stores(services), request ?? new BudgetRequest(null, null, null, null, null, false),
            context.RequestAborted);
        if (error is not null)
            return error.ToResult();
        await services.GetRequiredService<SpendBook>().ReloadAsync(context.RequestAborted);
        var shown = (await SpendAccounts.DescribeAsync(Stores(services), Now(context), null, context.RequestAborted)).Single(b => b.Id == budget!.Id);
        return Results.Json(shown, ApiJsonContext.Default.BudgetDto, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> DeleteBudgetAsync(HttpContext context, GatewayUser caller)
    {
        var services = context.RequestServices;
        if (await SpendAccounts.DeleteBudgetAsync(services.GetRequiredService<BudgetStore>(), Route(context, "id"), context.RequestAborted) is { } error)
            return error.ToResult();
        await services.GetRequiredService<SpendBook>().ReloadAsync(context.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> ListLimitsAsync(HttpContext context, GatewayUser caller) =>
        Results.Json(new LimitListResponse(await PolicyAccounts.LimitsAsync(Stores(context.RequestServices), null, context.RequestAborted)),
            ApiJsonContext.Default.LimitListResponse);

    private static Task<IResult> SetLimitAsync(HttpContext context, GatewayUser caller) =>
        SetPolicyAsync(context, ApiJsonContext.Default.LimitRequest, new LimitRequest(null, null, null, null),
            async (stores, request, ct) => await PolicyAccounts.SetLimitAsync(stores, request, ct) switch { var (row, error) => (row?.Id, error) },
            (stores, ct) => PolicyAccounts.LimitsAsync(stores, null, ct), l => l.Id, ApiJsonContext.Default.LimitDto);

    private static async Task<IResult> ListAllowlistsAsync(HttpContext context, GatewayUser caller) =>
        Results.Json(new AllowlistListResponse(await PolicyAccounts.AllowlistsAsync(Stores(context.RequestServices), null, context.RequestAborted), Aliases(context)),
            ApiJsonContext.Default.AllowlistListResponse);

    private static Task<IResult> SetAllowlistAsync(HttpContext context, GatewayUser caller) =>
        SetPolicyAsync(context, ApiJsonContext.Default.AllowlistRequest, new AllowlistRequest(null, null, null),
            async (stores, request, ct) => await PolicyAccounts.SetAllowlistAsync(stores, request, ct) switch { var (row, error) => (row?.Id, error) },
            (stores, ct) => PolicyAccounts.AllowlistsAsync(stores, null, ct), l => l.Id, ApiJsonContext.Default.AllowlistDto);

    /// <summary>Reads a limit or allowlist request, sets it, reloads this replica's book and answers the policy as listed.</summary>
    private static async Task<IResult> SetPolicyAsync<TRequest, TDto>(HttpContext context, JsonTypeInfo<TRequest> requestType, TRequest empty,
        Func<SpendStores, TRequest, CancellationToken, Task<(Guid? Id, ApiError? Error)>> set, Func<SpendStores, CancellationToken, Task<IReadOnlyList<TDto>>> list,
        Func<TDto, Guid> idOf, JsonTypeInfo<TDto> dtoType) where TRequest : class
    {
        var (request, bodyError) = await RequestBodies.ReadAsync(context, requestType);
        if (bodyError is not null)
            return bodyError.ToResult();
        var stores = Stores(context.RequestServices);
        var (id, error) = await set(stores, request ?? empty, context.RequestAborted);
        if (error is not null)
            return error.ToResult();
        await context.RequestServices.GetRequiredService<SpendBook>().ReloadAsync(context.RequestAborted);
        return Results.Json((await list(stores, context.RequestAborted)).Single(p => idOf(p) == id), dtoType);
    }

    private static async Task<IResult> DeletePolicyAsync(HttpContext context, PolicyTable table)
    {
        var services = context.RequestServices;
        if (await PolicyAccounts.DeleteAsync(services.GetRequiredService<RateLimitStore>(), table, Route(context, "id"), context.RequestAborted) is { } error)
            return error.ToResult();
        await services.GetRequiredService<SpendBook>().ReloadAsync(context.RequestAborted);
        return Results.NoContent();
    }

    private static IReadOnlyList<AliasDto> Aliases(HttpContext context) =>
        [.. context.RequestServices.GetRequiredService<SpendOptions>().Aliases.Select(a => new AliasDto(a.Name, a.Provider, a.Model))];

    private static async Task<(GroupRow? Group, ApiError? Error)> ChangeAsync(HttpContext context, string group, string user, bool add)
    {
        var services = context.RequestServices;
        var result = await SpendAccounts.ChangeMemberAsync(services.GetRequiredService<GroupStore>(), services.GetRequiredService<UserStore>(), group, user, add,
            context.RequestAborted);
        if (result.Error is null)
            await services.GetRequiredService<SpendBook>().ReloadAsync(context.RequestAborted);
        return result;
    }

    /// <summary>Reading routes: admins and auditors (403 for members, whose budgets are in <c>/api/v1/me</c>).</summary>
    private static Func<HttpContext, Task<IResult>> Reader(Func<HttpContext, GatewayUser, Task<IResult>> handler) =>
        ApiEndpoints.Authorized(adminOnly: false, (context, caller) => Roles.SeesEverything(caller.Role)
            ? handler(context, caller)
            : Task.FromResult(ApiError.Forbidden("Members see their own budgets in GET /api/v1/me.").ToResult()));

    private static DateTimeOffset Now(HttpContext context) => context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();

    private static string Route(HttpContext context, string key) => context.Request.RouteValues[key] as string ?? "";
}

using System.Text.Json;
using System.Text.RegularExpressions;
using Bridgekeeper.Auth;
using Bridgekeeper.Storage;
using Bridgekeeper.Tools;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Bridgekeeper.Api;

/// <summary>
/// Personal MCP tokens (<c>/api/v1/users/{name}/mcp-tokens</c>: admins, or the user themself; auditors may list) and the
/// caller's injected tools (<c>GET /api/v1/mcp/tools</c>). Tokens are write-only: no route ever returns one.
/// Needs <see cref="McpTokenStore"/>, <see cref="UserStore"/> and <see cref="KeyAuthenticator"/> in DI;
/// <see cref="McpToolRegistry"/> is optional (without it the tool list is empty and any server name is accepted).
/// </summary>
internal static partial class McpEndpoints
{
    /// <summary>The error code of a token that cannot be stored because the gateway has no secret key (503).</summary>
    public const string SecretKeyMissing = "secret_key_missing";

    private const int MaxBodyBytes = 64 * 1024;
    private const int MaxTokenLength = 16 * 1024;

    public static IEndpointRouteBuilder MapMcpApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        api.MapGet("/users/{name}/mcp-tokens", Authorized(ListTokensAsync));
        api.MapPut("/users/{name}/mcp-tokens/{server}", Authorized(SetTokenAsync));
        api.MapDelete("/users/{name}/mcp-tokens/{server}", Authorized(DeleteTokenAsync));
        api.MapGet("/mcp/tools", Authorized(ListToolsAsync));
        api.MapGet("/mcp/servers", Authorized(ListServersAsync));
        return app;
    }

    /// <summary>Stores a user's token for a server (the CLI shares this).</summary>
    public static async Task<(McpTokenDto? Token, ApiError? Error)> SetTokenAsync(UserStore users, McpTokenStore tokens, McpOptions? mcp,
        string userName, string server, string? token, CancellationToken cancellationToken)
    {
        if (CheckServer(server, mcp) is { } serverError)
            return (null, serverError);
        if (tokens.Keys.Current is null)
            return (null, new ApiError(StatusCodes.Status503ServiceUnavailable, SecretKeyMissing,
                $"This gateway cannot store MCP tokens: {tokens.Keys.Problem}"));
        token = token?.Trim();
        if (string.IsNullOrEmpty(token))
            return (null, ApiError.BadRequest("token must not be empty."));
        if (token.Length > MaxTokenLength || token.Any(char.IsControl))
            return (null, ApiError.BadRequest($"token must be at most {MaxTokenLength} characters, without line breaks or control characters."));
        var user = await users.FindUserAsync(userName, cancellationToken);
        if (user is null)
            return (null, ApiError.NotFound($"No user named '{userName}'."));
        await tokens.SetAsync(user.Id, server, token, cancellationToken);
        var row = (await tokens.ListAsync(user.Id, cancellationToken)).Single(r => r.Server == server);
        return (new McpTokenDto(row.Server, row.CreatedAt), null);
    }

    /// <summary>Deletes a user's token for a server (the CLI shares this).</summary>
    public static async Task<(Guid? UserId, ApiError? Error)> DeleteTokenAsync(UserStore users, McpTokenStore tokens, string userName, string server,
        CancellationToken cancellationToken)
    {
        var user = await users.FindUserAsync(userName, cancellationToken);
        if (user is null)
            return (null, ApiError.NotFound($"No user named '{userName}'."));
        return await tokens.DeleteAsync(user.Id, server, cancellationToken)
            ? (user.Id, null)
            : (null, ApiError.NotFound($"User '{userName}' has no token for MCP server '{server}'."));
    }

    /// <summary>The servers a user holds tokens for (the CLI shares this).</summary>
    public static async Task<(IReadOnlyList<McpTokenDto>? Tokens, ApiError? Error)> ListTokensAsync(UserStore users, McpTokenStore tokens,
        string userName, CancellationToken cancellationToken)
    {
        var user = await users.FindUserAsync(userName, cancellationToken);
        if (user is null)
            return (null, ApiError.NotFound($"No user named '{userName}'."));
        return ([.. (await tokens.ListAsync(user.Id, cancellationToken)).Select(r => new McpTokenDto(r.Server, r.CreatedAt))], null);
    }

    private static async Task<IResult> SetTokenAsync(HttpContext context, GatewayUser caller)
    {
        var (name, server) = (Route(context, "name"), Route(context, "server"));
        if (!MayChange(caller, name))
            return ApiError.Forbidden("Only admins may set another user's MCP tokens.").ToResult();
        var (request, bodyError) = await ReadBodyAsync(context);
        if (bodyError is not null)
            return bodyError.ToResult();
        var services = context.RequestServices;
        var registry = services.GetService<McpToolRegistry>();
        var (token, error) = await SetTokenAsync(services.GetRequiredService<UserStore>(), services.GetRequiredService<McpTokenStore>(),
            registry?.Options, name, server, request?.Token, context.RequestAborted);
        if (error is not null)
            return error.ToResult();
        if (registry is not null)
            await registry.InvalidateTokensAsync(await UserIdAsync(services, name, context.RequestAborted));
        return Results.Json(token!, McpJsonContext.Default.McpTokenDto);
    }

    private static async Task<IResult> DeleteTokenAsync(HttpContext context, GatewayUser caller)
    {
        var (name, server) = (Route(context, "name"), Route(context, "server"));
        if (!MayChange(caller, name))
            return ApiError.Forbidden("Only admins may delete another user's MCP tokens.").ToResult();
        var services = context.RequestServices;
        var (userId, error) = await DeleteTokenAsync(services.GetRequiredService<UserStore>(), services.GetRequiredService<McpTokenStore>(),
            name, server, context.RequestAborted);
        if (error is not null)
            return error.ToResult();
        if (services.GetService<McpToolRegistry>() is { } registry)
            await registry.InvalidateTokensAsync(userId!.Value);
        return Results.NoContent();
    }

    private static async Task<IResult> ListTokensAsync(HttpContext context, GatewayUser caller)
    {
        var name = Route(context, "name");
        if (!Roles.SeesEverything(caller.Role) && caller.Name != name)
            return ApiError.Forbidden("Members may list only their own MCP tokens.").ToResult();
        var services = context.RequestServices;
        var (tokens, error) = await ListTokensAsync(services.GetRequiredService<UserStore>(), services.GetRequiredService<McpTokenStore>(),
            name, context.RequestAborted);
        return error?.ToResult() ?? Results.Json(new McpTokenListResponse(tokens!), McpJsonContext.Default.McpTokenListResponse);
    }

    private static Task<IResult> ListToolsAsync(HttpContext context, GatewayUser caller)
    {
        var catalog = context.RequestServices.GetService<McpToolRegistry>()?.CatalogFor(caller) ?? IToolCatalog.Empty;
        var tools = catalog.Tools.Select(t => new McpToolDto(t.Name, t.Server, t.ToolName, t.Description, t.ServerDisplayUrl)).ToList();
        return Task.FromResult(Results.Json(new McpToolListResponse(tools), McpJsonContext.Default.McpToolListResponse));
    }

    /// <summary>
    /// <c>GET /api/v1/mcp/servers?since=&amp;until=</c>: every configured server with its state now, the tools it offers
    /// and its injected calls and failures in the range (a member's own only). Why a server is down is shown to admins
    /// and auditors; members see only that it is.
    /// </summary>
    private static async Task<IResult> ListServersAsync(HttpContext context, GatewayUser caller)
    {
        var services = context.RequestServices;
        var query = context.Request.Query;
        if (AuditParameters.TryUsageQuery(name => name == "group_by" ? null : query[name].ToString(), services.GetRequiredService<TimeProvider>().GetUtcNow(),
                out var range) is { } error)
            return error.ToResult();
        var statuses = services.GetService<McpToolRegistry>()?.Statuses() ?? [];
        var calls = statuses.Count == 0
            ? new Dictionary<string, (long, long)>()
            : await services.GetRequiredService<AuditStore>().InjectedCallsAsync(range with { OnlyUserId = AuditEndpoints.OnlyUser(caller) }, context.RequestAborted);
        var servers = statuses.Select(s =>
        {
            var url = s.Server.DisplayUrl.AbsoluteUri;
            var (called, failed) = calls.GetValueOrDefault(url);
            return new McpServerDto(s.Server.Name, url, s.Server.Transport, s.Server.RequiresUserToken, s.Status,
                Roles.SeesEverything(caller.Role) ? s.Error : null, s.Connections, [.. s.Tools.Select(t => t.ToolName)], called, failed);
        }).ToList();
        return Results.Json(new McpServerListResponse(servers), McpJsonContext.Default.McpServerListResponse);
    }

    private static ApiError? CheckServer(string server, McpOptions? mcp)
    {
        if (!ServerName().IsMatch(server))
            return ApiError.BadRequest($"'{server}' is not an MCP server name (lowercase letters and digits in words joined by '-').");
        if (mcp is { Servers.Count: > 0 } && !mcp.Servers.Any(s => s.Name == server))
            return ApiError.NotFound($"No MCP server named '{server}' is configured.");
        return null;
    }

    private static bool MayChange(GatewayUser caller, string name) => caller.Role == Roles.Admin || caller.Name == name;

    private static string Route(HttpContext context, string key) => context.Request.RouteValues[key] as string ?? "";

    private static async Task<Guid> UserIdAsync(IServiceProvider services, string name, CancellationToken cancellationToken) =>
        (await services.GetRequiredService<UserStore>().FindUserAsync(name, cancellationToken))!.Id;

    /// <summary>The key check of <see cref="ApiEndpoints"/>; each handler checks its own role rule (403).</summary>
    private static Func<HttpContext, Task<IResult>> Authorized(Func<HttpContext, GatewayUser, Task<IResult>> handler) =>
        ApiEndpoints.Authorized(adminOnly: false, handler);

    private static async Task<(SetMcpTokenRequest? Value, ApiError? Error)> ReadBodyAsync(HttpContext context)
    {
        var buffer = new byte[MaxBodyBytes + 1];
        var length = await context.Request.Body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, context.RequestAborted);
        if (length > MaxBodyBytes)
            return (null, ApiError.BadRequest($"The request body is larger than {MaxBodyBytes} bytes."));
        try
        {
            return (JsonSerializer.Deserialize(buffer.AsSpan(0, length), McpJsonContext.Default.SetMcpTokenRequest), null);
        }
        catch (JsonException)
        {
            // The message could quote the token; keep it out of the response.
            return (null, ApiError.BadRequest("The request body must be JSON: {\"token\": \"...\"}."));
        }
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex ServerName();
}

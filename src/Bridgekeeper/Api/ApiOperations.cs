using System.Collections.Frozen;
using Bridgekeeper.Storage;
using static Bridgekeeper.Api.ApiResponse;

namespace Bridgekeeper.Api;

/// <summary>
/// The OpenAPI description of every <c>/api/v1</c> route, keyed by method and route pattern (SPEC §6). To document a
/// new route, add one entry: its summary, the path and query parameters its handler reads, its body type and its
/// answers. The answers its <see cref="ApiAccess"/> implies (401, 403, 429, 503) are added for it. A route mapped
/// without an entry gets an operation with no summary, and an entry without a mapped route is stale: OpenApiTests
/// fails on both.
/// </summary>
internal static class ApiOperations
{
    public const string Account = "account";
    public const string Audit = "audit";
    public const string Users = "users";
    public const string Mcp = "mcp";
    public const string Proxy = "proxy";
    public const string Spend = "spend";

    public static readonly IReadOnlyList<(string Name, string Description)> Tags =
    [
        (Account, "The caller, and the dashboard's sign-in session."),
        (Audit, "Interceptions, agent sessions and usage. Members see only their own; admins and auditors see everything."),
        (Users, "Users and their keys. Admins only."),
        (Mcp, "Injected MCP tools, their servers, and users' personal MCP tokens (write-only)."),
        (Proxy, "The forward proxy."),
        (Spend, "Groups, budgets, rate limits and model allowlists. Admins change them, auditors read them; members see theirs in GET /api/v1/me."),
    ];

    private static readonly ApiParameter Since = ApiParameter.Query("since",
        "Only what started at or after this: an RFC 3339 timestamp, or a duration before now such as 24h or 7d.");

    private static readonly ApiParameter Until = ApiParameter.Query("until",
        "Only what started before this: an RFC 3339 timestamp, or a duration before now such as 24h or 7d.");

    private static readonly ApiParameter Limit = ApiParameter.Query("limit",
        "The most interceptions on the page. A page is also capped in bytes, so it may hold fewer; follow next_cursor.") with
    {
        Integer = true, Minimum = 1, Maximum = InterceptionQuery.MaxLimit, Default = $"{InterceptionQuery.DefaultLimit}",
    };

    private static readonly ApiParameter Cursor = ApiParameter.Query("cursor",
        "The next_cursor of the previous page; absent for the first page. Stable while new interceptions arrive.");

    private static readonly ApiParameter User = ApiParameter.Query("user",
        "Only this user's (a user name). A member sees only their own whatever this says.");

    /// <summary>The filters <see cref="AuditParameters.TryInterceptionQuery"/> reads.</summary>
    private static readonly IReadOnlyList<ApiParameter> InterceptionFilters =
    [
        User,
        ApiParameter.Query("provider", "Only this provider instance, such as openai or anthropic."),
        ApiParameter.Query("model", "Only this model, as the client named it."),
        ApiParameter.Query("client", "Only this client, as detected from the User-Agent, such as Claude Code or Codex."),
        Since, Until, Limit, Cursor,
    ];

    private static readonly ApiParameter UserName = ApiParameter.Path("name", "The user's name.");

    private static readonly ApiParameter ServerName = ApiParameter.Path("server",
        "An MCP server's name as configured (lowercase letters and digits in words joined by '-').");

    private static readonly ApiResponse BadFilter = Error(400, "A query parameter has a bad value; the message names it.");

    private static readonly ApiResponse BadBody = Error(400, "The body is not JSON of this shape, or a value is not valid; the message says which.");

    private static readonly ApiResponse NoUser = Error(404, "No user has this name.");

    private static readonly ApiResponse NotForMembers = Error(403, "Members see their own budgets and groups in GET /api/v1/me.");

    private static readonly ApiParameter GroupName = ApiParameter.Path("name", "The group's name.");

    public static readonly IReadOnlyList<ApiOperation> All =
    [
        new("GET", "/api/v1/me", "getMe", Account, ApiAccess.Caller, "The caller",
            "The user the key (or session) belongs to, their role and groups, the budgets that apply to them with their accounts now, the rate limits and model "
            + "allowlists that apply to them, and the gateway's model aliases.")
        {
            Responses = [Ok(typeof(MeResponse))],
        },
        new("POST", "/api/v1/session", "signIn", Account, ApiAccess.Public, "Sign in to the dashboard",
            "Trades a Bridgekeeper key for a session cookie. Send the csrf_token back as X-CSRF-Token on every request of the session that changes something.")
        {
            Body = new(typeof(SignInRequest), "The key to sign in with.", ["key"]),
            Responses =
            [
                Ok(typeof(BrowserSessionResponse), "Signed in.") with { Headers = SetsCookie("Sets the bridgekeeper_session cookie (HttpOnly).") },
                BadBody,
                Error(401, "The key is missing, unknown, revoked or expired."),
                Throttled("Too many failed sign-ins from this address."),
                Error(503, "The gateway cannot verify keys right now."),
            ],
        },
        new("GET", "/api/v1/session", "getSignIn", Account, ApiAccess.Session, "The dashboard session",
            "Who the session cookie signs in, as at sign-in.")
        {
            Responses = [Ok(typeof(BrowserSessionResponse))],
        },
        new("DELETE", "/api/v1/session", "signOut", Account, ApiAccess.Session, "Sign out of the dashboard",
            "Ends the session and clears its cookie.")
        {
            Parameters = [ApiParameter.Header("X-CSRF-Token", "The csrf_token the sign-in answered with.")],
            Responses =
            [
                NoContent("Signed out.") with { Headers = SetsCookie("Clears the bridgekeeper_session cookie.") },
                Error(403, "X-CSRF-Token is missing or is not this session's."),
            ],
        },
        new("GET", "/api/v1/interceptions", "listInterceptions", Audit, ApiAccess.Caller, "List interceptions",
            "A page of interceptions, newest first, each with its prompts, token usages, tool usages and thoughts.")
        {
            Parameters = InterceptionFilters,
            Responses = [Ok(typeof(InterceptionPage), "A page; next_cursor is null on the last one."), BadFilter],
        },
        new("GET", "/api/v1/interceptions/{id}", "getInterception", Audit, ApiAccess.Caller, "Get an interception",
            "One interception with its prompts, token usages, tool usages and thoughts.")
        {
            Parameters = [ApiParameter.Path("id", "The interception's id.", "uuid")],
            Responses =
            [
                Ok(typeof(InterceptionView)),
                Error(400, "The id is not a UUID."),
                Error(404, "No interception has this id (or, for a member, none of theirs)."),
            ],
        },
        new("GET", "/api/v1/usage", "getUsage", Audit, ApiAccess.Caller, "Usage report",
            "Interceptions, tokens and cost summed per group. cost_usd sums the priced token rows; unpriced_interceptions counts "
            + "those whose tokens are summed but not priced.")
        {
            Parameters =
            [
                ApiParameter.Query("group_by", "What one row sums over.") with
                {
                    Values = [.. UsageGroups.All],
                    Default = AuditParameters.DefaultGroupBy,
                },
                Since, Until,
                ApiParameter.Query("format", "json, or csv for the same rows as text/csv with a header line.") with { Values = ["json", "csv"], Default = "json" },
            ],
            Responses = [new(200, "The rows, as JSON or (format=csv) as CSV.", typeof(UsageResponse), "text/csv"), BadFilter],
        },
        new("GET", "/api/v1/usage/summary", "getUsageSummary", Audit, ApiAccess.Caller, "Usage summary",
            "The usage of a range by time (day or hour), provider, model, client and user, from one pass over the range: what the dashboard's "
            + "overview and spend pages show. Each list has the rows GET /api/v1/usage gives for that group_by.")
        {
            Parameters =
            [
                ApiParameter.Query("bucket", "The time rows' width.") with { Values = [UsageGroups.Day, UsageGroups.Hour], Default = UsageGroups.Day },
                Since, Until,
            ],
            Responses = [Ok(typeof(UsageSummaryResponse)), BadFilter],
        },
        new("GET", "/api/v1/sessions", "listSessions", Audit, ApiAccess.Caller, "List agent sessions",
            "A page of agent sessions (one user's interceptions that carry one session id) with their totals, the most recently started first.")
        {
            Parameters = InterceptionFilters,
            Responses = [Ok(typeof(SessionPage), "A page; next_cursor is null on the last one."), BadFilter],
        },
        new("GET", "/api/v1/sessions/{id}", "getSession", Audit, ApiAccess.Caller, "Get an agent session",
            "The session's totals and a page of its interceptions as one thread, oldest first.")
        {
            Parameters = [ApiParameter.Path("id", "The session id, as the client sent it."), User, Limit, Cursor],
            Responses = [Ok(typeof(SessionThread)), BadFilter, Error(404, "No session has this id (or, for a member, none of theirs).")],
        },
        new("GET", "/api/v1/users", "listUsers", Users, ApiAccess.Admin, "List users", "Every user, with their role.")
        {
            Responses = [Ok(typeof(UserListResponse))],
        },
        new("POST", "/api/v1/users", "createUser", Users, ApiAccess.Admin, "Create a user", "A new user; role defaults to member.")
        {
            Body = new(typeof(CreateUserRequest), "The user: a name, and optionally a role (admin, auditor or member) and an email.", ["name"]),
            Responses = [Created(typeof(UserDto), "The user."), BadBody, Error(409, "A user with this name already exists.")],
        },
        new("PATCH", "/api/v1/users/{name}", "updateUser", Users, ApiAccess.Admin, "Change a user's role",
            "Sets the user's role; it applies to their keys at once. An admin cannot take the admin role from themself.")
        {
            Parameters = [UserName],
            Body = new(typeof(SetRoleRequest), "The new role: admin, auditor or member.", ["role"]),
            Responses = [Ok(typeof(UserDto), "The user."), BadBody, NoUser, Error(409, "The change would take the admin role from the caller.")],
        },
        new("GET", "/api/v1/users/{name}/keys", "listKeys", Users, ApiAccess.Admin, "List a user's keys",
            "The user's keys, revoked and expired ones too; never their secrets.")
        {
            Parameters = [UserName],
            Responses = [Ok(typeof(KeyListResponse)), NoUser],
        },
        new("POST", "/api/v1/users/{name}/keys", "createKey", Users, ApiAccess.Admin, "Create a key",
            "A new key for the user. The answer is the only place its secret is ever shown.")
        {
            Parameters = [UserName],
            Body = new(typeof(CreateKeyRequest), "Optional: a label, and expires as a duration such as 90d (absent or 0: never).", []) { Optional = true },
            Responses = [Created(typeof(CreatedKeyResponse), "The key, with its secret."), BadBody, NoUser],
        },
        new("DELETE", "/api/v1/keys/{id}", "revokeKey", Users, ApiAccess.Admin, "Revoke a key", "The key stops working within seconds.")
        {
            Parameters = [ApiParameter.Path("id", "The key's id.", "uuid")],
            Responses = [NoContent("Revoked."), Error(400, "The id is not a key id."), Error(404, "No active key has this id.")],
        },
        new("GET", "/api/v1/users/{name}/mcp-tokens", "listMcpTokens", Mcp, ApiAccess.Caller, "List a user's MCP tokens",
            "The MCP servers the user holds a personal token for; never the tokens. Admins and auditors may list anyone's, members only their own.")
        {
            Parameters = [UserName],
            Responses = [Ok(typeof(McpTokenListResponse)), Error(403, "A member asked for another user's tokens."), NoUser],
        },
        new("PUT", "/api/v1/users/{name}/mcp-tokens/{server}", "setMcpToken", Mcp, ApiAccess.Caller, "Set a user's MCP token",
            "Stores the user's personal token for an MCP server, encrypted. Admins may set anyone's, others only their own.")
        {
            Parameters = [UserName, ServerName],
            Body = new(typeof(SetMcpTokenRequest), "The token, at most 16384 characters, without control characters.", ["token"]),
            Responses =
            [
                Ok(typeof(McpTokenDto), "Stored."),
                Error(400, "The server name or the token is not valid, or the body is not JSON of this shape."),
                Error(403, "Only admins may set another user's tokens."),
                Error(404, "No such user, or no MCP server of this name is configured."),
                Error(503, "The gateway has no secret key to encrypt tokens with (code secret_key_missing), or cannot verify keys right now."),
            ],
        },
        new("DELETE", "/api/v1/users/{name}/mcp-tokens/{server}", "deleteMcpToken", Mcp, ApiAccess.Caller, "Delete a user's MCP token",
            "Admins may delete anyone's, others only their own.")
        {
            Parameters = [UserName, ServerName],
            Responses =
            [
                NoContent("Deleted."),
                Error(403, "Only admins may delete another user's tokens."),
                Error(404, "No such user, or they hold no token for this server."),
            ],
        },
        new("GET", "/api/v1/mcp/tools", "listMcpTools", Mcp, ApiAccess.Caller, "The caller's injected tools",
            "The MCP tools the gateway injects into the caller's requests, by their injected names.")
        {
            Responses = [Ok(typeof(McpToolListResponse))],
        },
        new("GET", "/api/v1/mcp/servers", "listMcpServers", Mcp, ApiAccess.Caller, "MCP servers",
            "Each configured MCP server: its status, its tools, and its tool calls and failures in the window.")
        {
            Parameters = [Since, Until],
            Responses = [Ok(typeof(McpServerListResponse)), BadFilter],
        },
        new("GET", "/api/v1/groups", "listGroups", Spend, ApiAccess.Caller, "List groups", "Every group with its members' names.")
        {
            Responses = [Ok(typeof(GroupListResponse)), NotForMembers],
        },
        new("POST", "/api/v1/groups", "createGroup", Spend, ApiAccess.Admin, "Create a group", "A new group, optionally with its first members.")
        {
            Body = new(typeof(CreateGroupRequest), "The group: a name, and optionally members (user names).", ["name"]),
            Responses = [Created(typeof(GroupDto), "The group."), BadBody, NoUser, Error(409, "A group with this name already exists.")],
        },
        new("POST", "/api/v1/groups/{name}/members", "addGroupMember", Spend, ApiAccess.Admin, "Add a member", "Adds a user to the group; budgets on the group apply to them at once.")
        {
            Parameters = [GroupName],
            Body = new(typeof(GroupMemberRequest), "The user to add.", ["user"]),
            Responses = [Ok(typeof(GroupDto), "The group."), BadBody, Error(404, "No such group or user.")],
        },
        new("DELETE", "/api/v1/groups/{name}/members/{user}", "removeGroupMember", Spend, ApiAccess.Admin, "Remove a member", "Removes a user from the group.")
        {
            Parameters = [GroupName, ApiParameter.Path("user", "The member's user name.")],
            Responses = [Ok(typeof(GroupDto), "The group."), Error(404, "No such group or user, or the user is not a member.")],
        },
        new("GET", "/api/v1/budgets", "listBudgets", Spend, ApiAccess.Caller, "List budgets",
            "Every budget with its account in the current period (one per member for a group budget applied to each member): spent, held by requests in flight, remaining, and when it resets.")
        {
            Responses = [Ok(typeof(BudgetListResponse)), NotForMembers],
        },
        new("POST", "/api/v1/budgets", "createBudget", Spend, ApiAccess.Admin, "Set a budget",
            "A budget in USD per UTC day, week (from Monday) or month on exactly one of a user, a group (pooled, or per_member) or a key. Requests are admitted by "
            + "reserving their estimated cost; over the budget, provider routes answer 429 with Retry-After until the next period.")
        {
            Body = new(typeof(BudgetRequest), "One of user, group or key (a key id), usd, period, and per_member for a group.", ["usd", "period"]),
            Responses = [Created(typeof(BudgetDto), "The budget."), BadBody, Error(404, "No such user, group or key.")],
        },
        new("DELETE", "/api/v1/budgets/{id}", "deleteBudget", Spend, ApiAccess.Admin, "Delete a budget", "Deletes the budget and its accounts.")
        {
            Parameters = [ApiParameter.Path("id", "The budget's id.", "uuid")],
            Responses = [NoContent("Deleted."), Error(400, "The id is not a budget id."), Error(404, "No budget has this id.")],
        },
        new("GET", "/api/v1/limits", "listLimits", Spend, ApiAccess.Caller, "List rate limits", "Every rate limit: requests and tokens per minute on a user, a group or a key.")
        {
            Responses = [Ok(typeof(LimitListResponse)), NotForMembers],
        },
        new("POST", "/api/v1/limits", "setLimit", Spend, ApiAccess.Admin, "Set a rate limit",
            "Requests per minute (rpm), tokens per minute (tpm, input with cache writes and output; the input is estimated at admission and corrected when the "
            + "request ends), or both, on exactly one of a user, a group (pooled, or per_member) or a key, replacing the limit it had. Held across replicas; over it, "
            + "provider routes answer 429 with Retry-After.")
        {
            Body = new(typeof(LimitRequest), "One of user, group or key (a key id), rpm, tpm or both, and per_member for a group.", []),
            Responses = [Ok(typeof(LimitDto), "The limit."), BadBody, Error(404, "No such user, group or key.")],
        },
        new("DELETE", "/api/v1/limits/{id}", "deleteLimit", Spend, ApiAccess.Admin, "Delete a rate limit", "Deletes the limit and its shared buckets.")
        {
            Parameters = [ApiParameter.Path("id", "The limit's id.", "uuid")],
            Responses = [NoContent("Deleted."), Error(400, "The id is not a limit id."), Error(404, "No limit has this id.")],
        },
        new("GET", "/api/v1/allowlists", "listAllowlists", Spend, ApiAccess.Caller, "List model allowlists",
            "Every model allowlist (on a group or a key), and the gateway's model aliases.")
        {
            Responses = [Ok(typeof(AllowlistListResponse)), NotForMembers],
        },
        new("POST", "/api/v1/allowlists", "setAllowlist", Spend, ApiAccess.Admin, "Set a model allowlist",
            "The models a key, or a group's members, may use: patterns in which * matches any run of characters, replacing the list it had. A request passes "
            + "its key's allowlist and one of its groups' (when they have them); otherwise provider routes answer 403 before anything is sent upstream.")
        {
            Body = new(typeof(AllowlistRequest), "One of group or key (a key id), and models (patterns).", ["models"]),
            Responses = [Ok(typeof(AllowlistDto), "The allowlist."), BadBody, Error(404, "No such group or key.")],
        },
        new("DELETE", "/api/v1/allowlists/{id}", "deleteAllowlist", Spend, ApiAccess.Admin, "Delete a model allowlist", "Deletes the allowlist: its subject may use every model again.")
        {
            Parameters = [ApiParameter.Path("id", "The allowlist's id.", "uuid")],
            Responses = [NoContent("Deleted."), Error(400, "The id is not an allowlist id."), Error(404, "No allowlist has this id.")],
        },
        new("GET", "/api/v1/proxy/ca.pem", "getProxyCa", Proxy, ApiAccess.Public, "The forward proxy's CA certificate",
            "The PEM certificate clients must trust to use the forward proxy; never its key. Alias: /api/v2/aibridge/proxy/ca-cert.pem.")
        {
            Responses = [new(200, "The certificate.", Text: "application/x-pem-file"), Error(404, "The forward proxy is not enabled (proxy_address).")],
        },
    ];

    public static readonly FrozenDictionary<string, ApiOperation> ByKey = All.ToFrozenDictionary(o => o.Key);

    /// <summary>The entry of a route, or null.</summary>
    public static ApiOperation? Find(string method, string pattern) => ByKey.GetValueOrDefault($"{method} {pattern}");

    private static Dictionary<string, string> SetsCookie(string description) => new() { ["Set-Cookie"] = description };
}

namespace Bridgekeeper.Api;

/// <summary>
/// What the OpenAPI document says about one <c>/api/v1</c> route (<see cref="ApiOperations"/> holds them all). The
/// handlers read their query and body themselves, so ASP.NET cannot infer any of this: the table is the one place it is
/// written down, and <see cref="ApiOperationTransformer"/> turns an entry into the operation.
/// </summary>
/// <param name="Method">The HTTP method, upper case.</param>
/// <param name="Pattern">The route pattern exactly as mapped, such as <c>/api/v1/users/{name}/keys</c>.</param>
/// <param name="Id">The operationId (camelCase, unique), the name client generators give the call.</param>
/// <param name="Tag">One of <see cref="ApiOperations.Tags"/>.</param>
/// <param name="Access">Who may call it; it decides the security requirement and the 401/403/429/503 answers.</param>
internal sealed record ApiOperation(string Method, string Pattern, string Id, string Tag, ApiAccess Access, string Summary, string Description)
{
    /// <summary>Every <c>{name}</c> of <see cref="Pattern"/> (in its order) and every query parameter the handler reads.</summary>
    public IReadOnlyList<ApiParameter> Parameters { get; init; } = [];

    /// <summary>The JSON request body, or null when the route takes none.</summary>
    public ApiBody? Body { get; init; }

    /// <summary>The success answer first, then the errors of this route; the ones <see cref="Access"/> implies are added for it.</summary>
    public IReadOnlyList<ApiResponse> Responses { get; init; } = [];

    /// <summary>The table's key: <c>GET /api/v1/me</c>.</summary>
    public string Key => $"{Method} {Pattern}";
}

/// <summary>Who may call an operation.</summary>
internal enum ApiAccess
{
    /// <summary>No credential: the route describes or serves public things.</summary>
    Public,

    /// <summary>Only the dashboard's session cookie (with <c>X-CSRF-Token</c> on a method that changes something).</summary>
    Session,

    /// <summary>Any valid key or session; a member sees only their own data.</summary>
    Caller,

    /// <summary>A key or session of an admin (403 for anyone else).</summary>
    Admin,
}

/// <summary>Where a parameter goes.</summary>
internal enum ApiParameterIn
{
    Path,
    Query,
    Header,
}

/// <summary>
/// A path, query or header parameter. Every value is text on the wire; <see cref="Integer"/> (with its bounds),
/// <see cref="Values"/> and <see cref="Format"/> say what text is accepted.
/// </summary>
internal sealed record ApiParameter(string Name, ApiParameterIn In, string Description)
{
    public bool Required { get; init; }
    public bool Integer { get; init; }
    public int? Minimum { get; init; }
    public int? Maximum { get; init; }
    public IReadOnlyList<string>? Values { get; init; }
    public string? Default { get; init; }
    public string? Format { get; init; }

    public static ApiParameter Path(string name, string description, string? format = null) =>
        new(name, ApiParameterIn.Path, description) { Required = true, Format = format };

    public static ApiParameter Query(string name, string description) => new(name, ApiParameterIn.Query, description);

    public static ApiParameter Header(string name, string description) => new(name, ApiParameterIn.Header, description) { Required = true };
}

/// <summary>
/// A JSON request body: its C# type (one of <see cref="ApiJsonContext"/> or <see cref="McpJsonContext"/>) and the properties a valid request must hold.
/// </summary>
internal sealed record ApiBody(Type Type, string Description, IReadOnlyList<string> Required)
{
    /// <summary>An empty body is accepted too.</summary>
    public bool Optional { get; init; }
}

/// <summary>
/// One answer of an operation: a JSON body of <see cref="Json"/>, a text body of media type <see cref="Text"/>, both
/// (the client chooses, as <c>/usage?format=csv</c> does) or neither (204).
/// </summary>
internal sealed record ApiResponse(int Status, string Description, Type? Json = null, string? Text = null)
{
    /// <summary>Response headers worth knowing, by name: their description.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public static ApiResponse Ok(Type json, string description = "OK") => new(200, description, json);

    public static ApiResponse Created(Type json, string description) => new(201, description, json);

    public static ApiResponse NoContent(string description) => new(204, description);

    /// <summary>An error answer: <c>{"error":{"code","message"}}</c>.</summary>
    public static ApiResponse Error(int status, string description) => new(status, description, typeof(ErrorResponse));

    /// <summary>429 for a source whose authentications keep failing, with its <c>Retry-After</c>.</summary>
    public static ApiResponse Throttled(string description) => Error(429, description) with
    {
        Headers = new Dictionary<string, string> { ["Retry-After"] = "Seconds to wait before trying again." },
    };
}

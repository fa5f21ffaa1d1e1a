using System.Text.Json;
using System.Text.RegularExpressions;
using Bridgekeeper.Settings;

namespace Bridgekeeper.Tools;

/// <summary>
/// One approved MCP server whose tools are injected. <see cref="Allow"/> and <see cref="Deny"/> match the unprefixed tool
/// name (unanchored, like <c>Regex.IsMatch</c>); deny wins, and neither set means all. <see cref="Headers"/> may hold
/// secrets (an API key), so they are never logged. So may <see cref="Url"/>'s query string (<c>?token=…</c>): the gateway
/// connects to <see cref="Url"/>, and everything it shows, stores or logs uses <see cref="DisplayUrl"/>. A URL with
/// credentials in its userinfo (<c>http://user:pass@host/</c>) is refused: they belong in the headers.
/// </summary>
internal sealed partial record McpServerOptions(string Name, Uri Url, string Transport, IReadOnlyDictionary<string, string> Headers,
    Regex? Allow, Regex? Deny, bool RequiresUserToken)
{
    public const string StreamableHttp = "streamable-http";
    public const string Sse = "sse";

    /// <summary>
    /// The URL as the gateway shows, stores (<c>tool_usages.server_url</c>) and logs it: scheme, host, port and path only,
    /// never the query string or fragment. Every use of the URL outside the connection goes through this property.
    /// </summary>
    public Uri DisplayUrl => new(Url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped));

    /// <summary>Whether a tool of this server (by its own, unprefixed name) passes the allow and deny filters.</summary>
    public bool Admits(string toolName) =>
        (Allow is null || Allow.IsMatch(toolName)) && (Deny is null || !Deny.IsMatch(toolName));

    /// <summary>
    /// Validates one server's raw settings. <paramref name="setting"/> is the prefix of the names the operator sees
    /// (<c>BRIDGEKEEPER_MCP_0</c>, or <c>mcp_servers[0]</c> for YAML); problems throw <see cref="SettingsException"/>
    /// naming <c>{setting}_NAME</c>, <c>{setting}_URL</c> and so on (<c>mcp_servers[0].name</c>, <c>.url</c> in YAML).
    /// </summary>
    public static McpServerOptions Create(string setting, string? name, string? url, string? transport,
        IReadOnlyDictionary<string, string>? headers, string? allowRegex, string? denyRegex, bool requiresUserToken)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || !ServerName().IsMatch(name))
            throw new SettingsException(Field(setting, "NAME"), $"'{name}' must be lowercase letters and digits in words joined by '-' (for example 'github' or 'my-docs').");
        if (!Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new SettingsException(Field(setting, "URL"), $"'{Shown(url)}' is not an absolute http(s) URL.");
        if (uri.UserInfo.Length > 0)
            throw new SettingsException(Field(setting, "URL"), $"credentials do not belong in the URL; put them in {Field(setting, "HEADERS")}.");
        transport = string.IsNullOrWhiteSpace(transport) ? StreamableHttp : transport.Trim().ToLowerInvariant();
        if (transport is not (StreamableHttp or Sse))
            throw new SettingsException(Field(setting, "TRANSPORT"), $"'{transport}' is not {StreamableHttp} or {Sse}.");
        return new McpServerOptions(name, uri, transport, headers ?? new Dictionary<string, string>(),
            Pattern(Field(setting, "TOOL_ALLOW_REGEX"), allowRegex), Pattern(Field(setting, "TOOL_DENY_REGEX"), denyRegex), requiresUserToken);
    }

    /// <summary>
    /// The name of one field of a server's settings as the operator wrote it: <c>BRIDGEKEEPER_MCP_0_URL</c> in the
    /// environment, <c>mcp_servers[0].url</c> in YAML.
    /// </summary>
    public static string Field(string setting, string field) =>
        setting.StartsWith("BRIDGEKEEPER_", StringComparison.Ordinal) ? $"{setting}_{field}" : $"{setting}.{field.ToLowerInvariant()}";

    /// <summary>Never shows everything a server's settings say: the name and the display URL only.</summary>
    public override string ToString() => $"McpServerOptions {{ Name = {Name}, Url = {DisplayUrl.AbsoluteUri}, Transport = {Transport} }}";

    /// <summary>
    /// Parses the <c>_HEADERS</c> setting: a JSON object of strings (<c>{"X-Api-Key":"..."}</c>), or <c>Name: value</c>
    /// pairs separated by newlines or <c>;</c>. Blank means none.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ParseHeaders(string setting, string? text)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(text))
            return headers;
        text = text.Trim();
        if (text.StartsWith('{'))
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                foreach (var property in document.RootElement.EnumerateObject())
                    headers[HeaderName(setting, property.Name)] = property.Value.ValueKind == JsonValueKind.String
                        ? property.Value.GetString()!
                        : throw new SettingsException(setting, $"the value of header '{property.Name}' must be a string.");
            }
            catch (JsonException)
            {
                throw new SettingsException(setting, "is not a JSON object of header names to string values.");
            }
            return headers;
        }
        foreach (var pair in text.Split(['\n', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
                throw new SettingsException(setting, "must be 'Name: value' pairs separated by ';' or newlines, or a JSON object.");
            headers[HeaderName(setting, pair[..colon].Trim())] = pair[(colon + 1)..].Trim();
        }
        return headers;
    }

    /// <summary>The <c>headers</c> map of a YAML server entry, checked like <see cref="ParseHeaders(string, string?)"/>.</summary>
    public static IReadOnlyDictionary<string, string> ParseHeaders(string setting, IEnumerable<(string Name, string Value)> pairs)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in pairs)
            headers[HeaderName(setting, name.Trim())] = value;
        return headers;
    }

    /// <summary>Checks the servers together: names must be unique.</summary>
    public static void ValidateAll(IReadOnlyList<McpServerOptions> servers, string setting = "BRIDGEKEEPER_MCP")
    {
        var duplicate = servers.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new SettingsException(setting, $"the MCP server name '{duplicate.Key}' is used twice.");
    }

    private static string HeaderName(string setting, string name) =>
        name.Length > 0 && name.All(c => c is > ' ' and < '\u007f' and not (':' or '(' or ')' or ',' or '/' or ';' or '<' or '=' or '>' or '?' or '@' or '[' or '\\' or ']' or '{' or '}' or '"'))
            ? name
            : throw new SettingsException(setting, $"'{name}' is not a valid HTTP header name.");

    private static Regex? Pattern(string setting, string? pattern)
    {
        if (string.IsNullOrEmpty(pattern))
            return null;
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(250));
        }
        catch (ArgumentException e)
        {
            throw new SettingsException(setting, $"'{pattern}' is not a valid regular expression: {e.Message}");
        }
    }

    /// <summary>A bad URL as quoted in an error: only up to its query, which may hold a token.</summary>
    private static string? Shown(string? url)
    {
        var end = url?.IndexOfAny(['?', '#']) ?? -1;
        return end < 0 ? url?.Trim() : url![..end].Trim() + "?…";
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex ServerName();
}

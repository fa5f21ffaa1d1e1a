using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Tests.Tools;
using Mono.Unix;
using Mono.Unix.Native;

namespace Bridgekeeper.EndToEndTests;

/// <summary>
/// The real executable, given a bad setting or a machine that refuses one (port taken, database unreachable, a key
/// file others may write): it exits non-zero and prints exactly one line on stderr naming the setting, no error on
/// stdout, and never a stack trace.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StartupErrorTests : IDisposable
{
    private const string SecretKey = "BRIDGEKEEPER_SECRET_KEY";
    private readonly string _folder = Directory.CreateTempSubdirectory("bk-start-").FullName;
    private readonly List<IDisposable> _held = [];

    public void Dispose()
    {
        foreach (var held in _held)
            held.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    public static TheoryData<string> Cases => [.. CaseNames];

    private static readonly string[] CaseNames =
    [
        "address-not-host-port", "address-bad-host", "address-port-too-big", "address-port-in-use", "address-not-this-machine",
        "duration", "duration-zero", "size", "count", "bool", "log-format", "base-url", "provider-type", "copilot-key",
        "database-url-without-database", "database-bad-keyword", "database-unreachable", "database-folder-is-a-file",
        "database-is-a-folder", "database-not-sqlite",
        "config-missing", "config-bad-yaml", "config-unknown-key", "config-list-for-a-value", "prices-file-missing",
        "alias-unknown-provider", "alias-malformed", "group-unknown-member", "budget-bad-period", "limit-not-a-number",
        "secret-key-not-base64", "secret-key-short", "secret-key-previous-short", "secret-key-needed-for-user-tokens",
        "key-file-writable-by-others", "key-file-of-another-user",
        "mcp-url-credentials", "mcp-url-credentials-yaml", "mcp-headers", "mcp-require-user-token",
        "cli-database-unreachable", "cli-config-missing", "unknown-flag",
        "proxy-address", "proxy-address-is-http-address", "proxy-address-in-use", "proxy-ca-key-alone", "proxy-ca-not-a-ca", "proxy-ca-missing",
        "proxy-hosts-unknown-provider", "proxy-hosts-malformed", "proxy-tunnel-allow", "proxy-tls-cert-missing",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Start_BadSettingOrRefusingMachine_OneLineNamingTheSettingAndNonZeroExit(string name)
    {
        var (args, environment, exitCode, expected) = Case(name);

        var (code, stdout, stderr) = await GatewayProcess.RunAsync(args, environment);

        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{stderr}\nstdout:\n{stdout}");
        Assert.StartsWith(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr + stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(stdout.Split('\n'), l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal)
            || l.Contains("Exception", StringComparison.Ordinal));
        Assert.Equal(exitCode, code);
    }

    /// <summary>One case: the arguments, extra environment, the exit code, and the start of the one line (or all of it).</summary>
    /// <summary>A certificate that is not a CA, and its key, as PEM files.</summary>
    private (string Cert, string Key) LeafFiles()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=not a ca", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var (certPath, keyPath) = (Path.Combine(_folder, "leaf.pem"), Path.Combine(_folder, "leaf.key"));
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath);
    }

    private (string[] Args, Dictionary<string, string?> Environment, int ExitCode, string Expected) Case(string name)
    {
        var database = Path.Combine(_folder, "bk.db");
        var unreachable = $"postgres://bk@127.0.0.1:{TestMcpServer.FreePort()}/audit";
        string[] Server(params string[] more) => ["server", "--database", database, "--http-address", "127.0.0.1:0", .. more];
        static string Named(string setting) => $"bridgekeeper: Invalid setting '{setting}': ";
        string Yaml(string text)
        {
            var path = Path.Combine(_folder, "bk.yaml");
            File.WriteAllText(path, text);
            return path;
        }
        var none = new Dictionary<string, string?>();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        switch (name)
        {
            case "address-not-host-port":
                return (["server", "--database", database, "--http-address", "localhost"], none, 2,
                    Named("http_address") + "'localhost' is not host:port (for example 127.0.0.1:8080).");
            case "address-bad-host":
                return (["server", "--database", database, "--http-address", "bad host:8080"], none, 2, Named("http_address"));
            case "address-port-too-big":
                return (["server", "--database", database, "--http-address", "127.0.0.1:70000"], none, 2, Named("http_address"));
            case "address-port-in-use":
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                _held.Add(listener);
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                return (["server", "--database", database, "--http-address", $"127.0.0.1:{port}"], none, 2,
                    Named("http_address") + $"Failed to bind to address http://127.0.0.1:{port}: address already in use.");
            case "proxy-address":
                return (Server("--proxy-address", "nowhere"), none, 2, Named("proxy_address") + "'nowhere' is not host:port");
            case "proxy-address-is-http-address":
                return (["server", "--database", database, "--http-address", "127.0.0.1:18181", "--proxy-address", "127.0.0.1:18181"], none, 2,
                    Named("proxy_address") + "'127.0.0.1:18181' is http_address too");
            case "proxy-address-in-use":
                var taken = new TcpListener(IPAddress.Loopback, 0);
                taken.Start();
                _held.Add(taken);
                var takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
                return (Server("--proxy-address", $"127.0.0.1:{takenPort}"), none, 2,
                    Named("proxy_address") + $"Failed to bind to address https://127.0.0.1:{takenPort}: address already in use.");
            case "proxy-ca-key-alone":
                return (Server("--proxy-address", "127.0.0.1:0"), new() { ["BRIDGEKEEPER_PROXY_CA_KEY"] = Path.Combine(_folder, "ca.key") }, 2,
                    Named("proxy_ca_cert") + "must be set together with proxy_ca_key");
            case "proxy-ca-not-a-ca":
                var (leaf, leafKey) = LeafFiles();
                return (Server("--proxy-address", "127.0.0.1:0", "--proxy-ca-cert", leaf, "--proxy-ca-key", leafKey), none, 2,
                    Named("proxy_ca_cert") + $"the certificate in '{leaf}' is not a CA certificate");
            case "proxy-ca-missing":
                return (Server("--proxy-address", "127.0.0.1:0", "--proxy-ca-cert", Path.Combine(_folder, "none.pem"), "--proxy-ca-key", Path.Combine(_folder, "none.key")),
                    none, 2, Named("proxy_ca_cert") + $"'{Path.Combine(_folder, "none.pem")}' does not exist.");
            case "proxy-hosts-unknown-provider":
                return (Server("--proxy-address", "127.0.0.1:0", "--proxy-hosts", "api.example.com=nope"), none, 2,
                    Named("proxy_hosts") + "maps api.example.com to 'nope', which is not a provider instance");
            case "proxy-hosts-malformed":
                return (Server("--proxy-address", "127.0.0.1:0", "--proxy-hosts", "api.anthropic.com"), none, 2,
                    Named("proxy_hosts") + "'api.anthropic.com=' is not host=provider");
            case "proxy-tunnel-allow":
                return (Server("--proxy-address", "127.0.0.1:0", "--proxy-tunnel-allow", "10.0.0.0/33"), none, 2,
                    Named("proxy_tunnel_allow") + "'10.0.0.0/33' is not a network");
            case "proxy-tls-cert-missing":
                return (Server("--proxy-address", "127.0.0.1:0", "--proxy-tls-cert", Path.Combine(_folder, "none.pem"), "--proxy-tls-key", Path.Combine(_folder, "none.key")),
                    none, 2, Named("proxy_tls_cert") + $"cannot load the certificate '{Path.Combine(_folder, "none.pem")}'");
            case "address-not-this-machine":
                return (["server", "--database", database, "--http-address", "192.0.2.1:8080"], none, 2,
                    Named("http_address") + "cannot listen on 192.0.2.1:8080: Cannot assign requested address");
            case "duration":
                return (Server("--retention", "forever"), none, 2, Named("retention") + "'forever' is not a duration such as 15s, 10m, 24h or 60d.");
            case "duration-zero":
                return (Server("--keepalive-interval", "0"), none, 2, Named("keepalive_interval"));
            case "size":
                return (Server("--max-request-body", "10MB"), none, 2, Named("max_request_body") + "'10MB' is not a whole number");
            case "count":
                return (Server("--audit-queue-capacity", "lots"), none, 2, Named("audit_queue_capacity"));
            case "bool":
                return (Server("--structured-logging", "maybe"), none, 2, Named("structured_logging") + "'maybe' is not true or false.");
            case "log-format":
                return (Server("--log-format", "xml"), none, 2, Named("log_format") + "'xml' is not one of human, json.");
            case "base-url":
                return (Server(), new() { ["BRIDGEKEEPER_OPENAI_BASE_URL"] = "ftp://x" }, 2, Named("openai_base_url"));
            case "provider-type":
                return (Server(), new() { ["BRIDGEKEEPER_PROVIDER_0_TYPE"] = "gemini", ["BRIDGEKEEPER_PROVIDER_0_NAME"] = "g" }, 2,
                    Named("BRIDGEKEEPER_PROVIDER_0_TYPE"));
            case "copilot-key":
                return (Server(), new()
                {
                    ["BRIDGEKEEPER_PROVIDER_0_TYPE"] = "copilot", ["BRIDGEKEEPER_PROVIDER_0_NAME"] = "copilot",
                    ["BRIDGEKEEPER_PROVIDER_0_KEY"] = "sk-operator-key",
                }, 2, Named("BRIDGEKEEPER_PROVIDER_0_KEY") + "a copilot provider takes no key");
            case "database-url-without-database":
                return (["server", "--database", "postgres://db.internal", "--http-address", "127.0.0.1:0"], none, 2,
                    Named("database") + "names no PostgreSQL database.");
            case "database-bad-keyword":
                return (["server", "--database", "Host=127.0.0.1;Databse=audit", "--http-address", "127.0.0.1:0"], none, 2,
                    Named("database") + "is not a valid PostgreSQL URL or connection string");
            case "database-unreachable":
                return (["server", "--database", unreachable, "--http-address", "127.0.0.1:0"], none, 2,
                    Named("database") + $"cannot open {unreachable}: Failed to connect to 127.0.0.1:");
            case "database-folder-is-a-file":
                File.WriteAllText(Path.Combine(_folder, "file"), "");
                var below = Path.Combine(_folder, "file", "data", "bk.db");
                return (["server", "--database", below, "--http-address", "127.0.0.1:0"], none, 2,
                    Named("database") + $"cannot create the SQLite database '{below}': ");
            case "database-is-a-folder":
                return (["server", "--database", _folder, "--http-address", "127.0.0.1:0"], none, 2,
                    Named("database") + $"cannot create the SQLite database '{_folder}': ");
            case "database-not-sqlite":
                File.WriteAllText(database, new string('x', 4096));
                return (Server(), none, 2, Named("database") + $"cannot open {database}: SQLite Error 26: 'file is not a database'.");
            case "config-missing":
                return (Server("--config", Path.Combine(_folder, "none.yaml")), none, 2,
                    Named("config") + $"the file '{Path.Combine(_folder, "none.yaml")}' does not exist.");
            case "config-bad-yaml":
                return (Server("--config", Yaml("http_address: [unclosed\n")), none, 2, Named("config") + $"'{Path.Combine(_folder, "bk.yaml")}' is not valid YAML");
            case "alias-unknown-provider":
                return (Server("--config", Yaml("model_aliases:\n  fast: nowhere/claude-haiku-4-5\n")), none, 2,
                    Named("model_aliases.fast") + "there is no provider 'nowhere' (the providers are openai, anthropic).");
            case "alias-malformed":
                return (Server(), new() { ["BRIDGEKEEPER_MODEL_ALIASES"] = "fast:anthropic" }, 2, Named("model_aliases") + "'fast:anthropic' is not alias=provider/model.");
            case "group-unknown-member":
                return (Server("--config", Yaml("groups:\n  team:\n    members: [ghost]\n")), none, 2, Named("groups.team.members") + "No user named 'ghost'.");
            case "budget-bad-period":
                return (Server("--config", Yaml("groups:\n  team: {}\nbudgets:\n  - {group: team, usd: 5, period: year}\n")), none, 2,
                    Named("budgets[0]") + "period must be day, week or month; got 'year'.");
            case "limit-not-a-number":
                return (Server("--config", Yaml("limits:\n  - {user: x, rpm: lots}\n")), none, 2, Named("limits[0].rpm") + "'lots' is not a number.");
            case "config-unknown-key":
                return (Server("--config", Yaml("htp_address: 127.0.0.1:1\n")), none, 2, Named("htp_address") + "is not a known setting");
            case "config-list-for-a-value":
                return (Server("--config", Yaml("retention: [1d]\n")), none, 2, Named("retention") + "must be a single value");
            case "prices-file-missing":
                return (Server("--prices-file", Path.Combine(_folder, "none.yaml")), none, 2, Named("prices_file"));
            case "secret-key-not-base64":
                return (Server(), new() { [SecretKey] = "not base64!" }, 2, Named(SecretKey) + "is not base64; make a key with 'openssl rand -base64 32'.");
            case "secret-key-short":
                return (Server("--secret-key", "AAAA"), none, 2, Named(SecretKey) + "must be 32 bytes (base64), not 3;");
            case "secret-key-previous-short":
                return (Server(), new() { ["BRIDGEKEEPER_SECRET_KEY_PREVIOUS"] = $"{key},AAAA" }, 2, Named("BRIDGEKEEPER_SECRET_KEY_PREVIOUS") + "must be 32 bytes");
            case "secret-key-needed-for-user-tokens":
                return (["server", "--database", unreachable, "--http-address", "127.0.0.1:0"], new()
                {
                    ["BRIDGEKEEPER_MCP_0_NAME"] = "github", ["BRIDGEKEEPER_MCP_0_URL"] = "http://127.0.0.1:9/mcp", ["BRIDGEKEEPER_MCP_0_REQUIRE_USER_TOKEN"] = "true",
                }, 2, Named(SecretKey) + "must be set, because MCP server 'github' requires per-user tokens, which are stored encrypted with it; "
                    + "make one with 'openssl rand -base64 32' and give every replica the same.");
            case "key-file-writable-by-others":
                var keyFile = Path.Combine(_folder, "bridgekeeper.key");
                File.WriteAllText(keyFile, key);
                File.SetUnixFileMode(keyFile, (UnixFileMode)Convert.ToInt32("666", 8));
                return (Server(), none, 2, Named(SecretKey) + $"the key file '{keyFile}' is writable by its group (mode 666); make it 600 (chmod 600 '{keyFile}'); or set {SecretKey} instead.");
            case "key-file-of-another-user":
                Assert.SkipUnless(Syscall.geteuid() == 0, "Only root can give a file to another user.");
                var foreign = Path.Combine(_folder, "bridgekeeper.key");
                File.WriteAllText(foreign, key);
                File.SetUnixFileMode(foreign, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                new UnixFileInfo(foreign).SetOwner(65534, 65534);
                return (Server(), none, 2, Named(SecretKey) + $"the key file '{foreign}' belongs to user 65534 (");
            case "mcp-url-credentials":
                return (Server(), new() { ["BRIDGEKEEPER_MCP_0_NAME"] = "docs", ["BRIDGEKEEPER_MCP_0_URL"] = "https://bot:hunter2@mcp.example/mcp?token=t" }, 2,
                    Named("BRIDGEKEEPER_MCP_0_URL") + "credentials do not belong in the URL; put them in BRIDGEKEEPER_MCP_0_HEADERS.");
            case "mcp-url-credentials-yaml":
                return (Server("--config", Yaml("mcp_servers:\n  - name: docs\n    url: https://bot:hunter2@mcp.example/mcp\n")), none, 2,
                    Named("mcp_servers[0].url") + "credentials do not belong in the URL; put them in mcp_servers[0].headers.");
            case "mcp-headers":
                return (Server(), new() { ["BRIDGEKEEPER_MCP_0_NAME"] = "docs", ["BRIDGEKEEPER_MCP_0_URL"] = "https://mcp.example/mcp", ["BRIDGEKEEPER_MCP_0_HEADERS"] = "no colon" }, 2,
                    Named("BRIDGEKEEPER_MCP_0_HEADERS"));
            case "mcp-require-user-token":
                return (Server(), new() { ["BRIDGEKEEPER_MCP_0_NAME"] = "docs", ["BRIDGEKEEPER_MCP_0_URL"] = "https://mcp.example/mcp", ["BRIDGEKEEPER_MCP_0_REQUIRE_USER_TOKEN"] = "perhaps" }, 2,
                    Named("BRIDGEKEEPER_MCP_0_REQUIRE_USER_TOKEN") + "'perhaps' is not true or false.");
            case "cli-database-unreachable":
                return (["users", "list", "--database", unreachable], none, 1, Named("database") + $"cannot open {unreachable}: Failed to connect to 127.0.0.1:");
            case "cli-config-missing":
                return (["users", "list", "--database", database, "--config", Path.Combine(_folder, "none.yaml")], none, 1, Named("config"));
            case "unknown-flag":
                return (["server", "--htp-address", "127.0.0.1:1"], none, 2,
                    "bridgekeeper: Unrecognized command or argument '--htp-address'.");
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "no such case");
        }
    }
}

using System.CommandLine;
using Bridgekeeper.Hosting;

namespace Bridgekeeper.Cli;

/// <summary>The options every command accepts (<c>--config</c>, <c>--database</c>), and settings loading from them.</summary>
internal sealed class CliGlobals
{
    public Option<string?> Config { get; } = new("--config") { Description = "YAML settings file", Recursive = true };
    public Option<string?> Database { get; } = new("--database") { Description = "SQLite file path (env BRIDGEKEEPER_DATABASE)", Recursive = true };

    /// <summary>Settings from flags, then environment, then the YAML file, then defaults (SPEC §2).</summary>
    public GatewaySettings LoadSettings(ParseResult result, IReadOnlyDictionary<string, string?>? flags = null, bool demo = false)
    {
        var all = new Dictionary<string, string?>(flags ?? new Dictionary<string, string?>())
        {
            ["database"] = result.GetValue(Database),
        };
        return SettingsLoader.Load(all, Environment.GetEnvironmentVariables(), result.GetValue(Config), demo);
    }
}

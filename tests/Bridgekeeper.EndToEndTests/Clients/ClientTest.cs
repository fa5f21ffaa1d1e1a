using System.Text.Json;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests.Clients;

/// <summary>
/// A real client, run as a child process against a fresh gateway and mock upstream. Each run gets a private temp folder
/// for HOME and the client's config, and a failed check reports the client's output and the newest interception.
/// </summary>
public abstract class ClientTest : GatewayTest
{
    /// <summary>A private folder with <c>home</c> (HOME and the client's config) and <c>work</c> (the working directory).</summary>
    private protected sealed class Sandbox : IDisposable
    {
        public Sandbox()
        {
            Root = Directory.CreateTempSubdirectory("bk-client-").FullName;
            Directory.CreateDirectory(Home);
            Directory.CreateDirectory(Work);
        }

        public string Root { get; }
        public string Home => Path.Combine(Root, "home");
        public string Work => Path.Combine(Root, "work");

        public void Dispose()
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>
    /// Claude Code's environment in <paramref name="sandbox"/>: a private HOME and config, no updater, telemetry or
    /// other traffic of its own, and <paramref name="more"/> (how it reaches the gateway, its key).
    /// </summary>
    private protected static Dictionary<string, string> ClaudeEnvironment(Sandbox sandbox, params (string Name, string Value)[] more)
    {
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = sandbox.Home,
            ["CLAUDE_CONFIG_DIR"] = Path.Combine(sandbox.Home, ".claude"),
            ["IS_SANDBOX"] = "1",
            ["DISABLE_AUTOUPDATER"] = "1",
            ["DISABLE_TELEMETRY"] = "1",
            ["DISABLE_ERROR_REPORTING"] = "1",
            ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
        };
        foreach (var (name, value) in more)
            environment[name] = value;
        return environment;
    }

    /// <summary>
    /// A private <c>CODEX_HOME</c> in <paramref name="sandbox"/> whose <c>config.toml</c> sets the model, no update
    /// check, plugins or analytics, and a provider when the test gives one (<paramref name="provider"/> names it,
    /// <paramref name="providerTable"/> is its <c>[model_providers.…]</c> table: TOML tables come after the top-level keys).
    /// </summary>
    private protected static async Task<string> CodexHomeAsync(Sandbox sandbox, string? provider = null, string providerTable = "")
    {
        var codexHome = Path.Combine(sandbox.Home, ".codex");
        Directory.CreateDirectory(codexHome);
        var config = (provider is null ? "" : $"model_provider = \"{provider}\"\n") + CodexConfig + "\n" + providerTable;
        await File.WriteAllTextAsync(Path.Combine(codexHome, "config.toml"), config, TestContext.Current.CancellationToken);
        return codexHome;
    }

    private const string CodexConfig = """
        model = "gpt-5.5"
        check_for_update_on_startup = false

        [features]
        plugins = false

        [analytics]
        enabled = false
        """;

    /// <summary>Runs <paramref name="assertions"/>; on failure, fails with their message plus the run and the newest interception.</summary>
    private protected async Task ExpectAsync(ClientRun run, Func<Task> assertions)
    {
        try
        {
            await assertions();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Assert.Fail($"{exception.Message}\n\n{run}\n\n{await DescribeInterceptionsAsync()}");
        }
    }

    /// <summary>Waits for the ended interception that <paramref name="match"/> picks (the newest if several).</summary>
    private protected Task<JsonElement> InterceptionAsync(Func<JsonElement, bool> match) => Gateway.WaitForEndedAsync(match);

    private protected static bool HasPrompt(JsonElement interception, string prompt) =>
        interception.GetProperty("prompts").EnumerateArray().Any(p => p.GetProperty("prompt").GetString() == prompt);

    private protected static bool HasTool(JsonElement interception, string tool) =>
        interception.GetProperty("tool_usages").EnumerateArray().Any(t => t.GetProperty("tool").GetString() == tool);

    private protected static string Text(JsonElement element, string property) =>
        element.GetProperty(property).ValueKind is JsonValueKind.String ? element.GetProperty(property).GetString()! : "";

    private async Task<string> DescribeInterceptionsAsync()
    {
        try
        {
            var all = await Gateway.ListInterceptionsAsync();
            if (all.Count == 0)
                return "--- no interceptions recorded ---";
            var others = string.Join('\n', all.Skip(1).Select(i =>
                $"  {Text(i, "started_at")} {Text(i, "status")} {Text(i, "client")} {Text(i, "model")} "
                + $"prompts={i.GetProperty("prompts").GetArrayLength()} tools={i.GetProperty("tool_usages").GetArrayLength()}"));
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
                all[0].WriteTo(writer);
            var newest = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
            return $"--- newest of {all.Count} interceptions ---\n{newest}\n--- older ---\n{others}";
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException)
        {
            return $"--- interceptions unavailable: {exception.Message} ---";
        }
    }
}

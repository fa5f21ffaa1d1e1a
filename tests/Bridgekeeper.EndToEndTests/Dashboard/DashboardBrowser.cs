using System.Globalization;
using System.Text.Json;
using Bridgekeeper.EndToEndTests.Clients;

namespace Bridgekeeper.EndToEndTests.Dashboard;

/// <summary>
/// Runs <c>tests/clients/dashboard.mjs</c>: playwright-core (pinned) driving Debian's Chromium (<c>/usr/bin/chromium</c>,
/// installed by <c>./test.sh</c>) through the dashboard, and returns what the pages showed. A missing browser or
/// package fails the test, never skips it. Screenshots go under the test results (<c>.test-results/screenshots/…</c>).
/// </summary>
internal static class DashboardBrowser
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>Where the screenshots of this run go: one folder per database, so both runs of <c>./test.sh</c> keep theirs.</summary>
    public static string ScreenshotFolder => Path.Combine(ClientInstall.Folder, "..", "..", ".test-results", "screenshots",
        Environment.GetEnvironmentVariable("BRIDGEKEEPER_TEST_DATABASE") ?? "sqlite");

    public static async Task<JsonElement> RunAsync(string scenario, Uri gateway, string key, IReadOnlyDictionary<string, string> settings,
        CancellationToken cancellationToken)
    {
        if (!File.Exists(Chromium))
            Assert.Fail($"{Chromium} is missing: ./test.sh installs Debian's chromium package (apt-get install chromium).");
        var script = Path.Combine(ClientInstall.Folder, "dashboard.mjs");
        if (!File.Exists(Path.Combine(ClientInstall.Folder, "node_modules", "playwright-core", "package.json")))
            Assert.Fail("playwright-core is not installed: run ./test.sh (or npm ci --prefix tests/clients).");
        var environment = new Dictionary<string, string>(settings)
        {
            ["BK_URL"] = gateway.AbsoluteUri,
            ["BK_KEY"] = key,
            ["BK_SHOTS"] = Path.GetFullPath(ScreenshotFolder),
            ["HOME"] = Path.GetTempPath(),
        };
        var run = await ClientProcess.RunAsync("node", [script, scenario], environment, ClientInstall.Folder, cancellationToken,
            TimeSpan.FromSeconds(120));
        Assert.True(run.ExitCode == 0, $"the {scenario} walk through the dashboard failed: {run}");
        return JsonDocument.Parse(run.Stdout).RootElement.Clone();
    }

    /// <summary>A count as a page shows it (<c>1,234</c>).</summary>
    public static long Count(string shown) => long.Parse(shown, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    /// <summary>
    /// Asserts that a cost as a page shows it (<c>$0.0003735</c>, four significant digits below $1) is the API's
    /// <paramref name="expected"/> to the digits shown.
    /// </summary>
    public static void SameCost(decimal? expected, string shown, string what)
    {
        if (expected is null)
        {
            Assert.Equal("unpriced", shown);
            return;
        }
        Assert.StartsWith("$", shown, StringComparison.Ordinal);
        var value = decimal.Parse(shown[1..], NumberStyles.AllowThousands | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(value - expected.Value) <= expected.Value * 0.0005m, $"{what}: the page shows {shown}, the API says {expected}");
    }
}

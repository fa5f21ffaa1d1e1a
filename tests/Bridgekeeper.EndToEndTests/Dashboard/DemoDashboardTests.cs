using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bridgekeeper.EndToEndTests.Infrastructure;

namespace Bridgekeeper.EndToEndTests.Dashboard;

/// <summary>The README's first command, <c>server --demo</c>, serves the dashboard out of the box: its banner names <c>/ui</c> and its key signs in.</summary>
public sealed partial class DemoDashboardTests
{
    [Fact]
    public async Task Demo_BannerNamesTheDashboard_ItsKeySignsIn_AndTheRequestSentIsOnThePage()
    {
        var ct = TestContext.Current.CancellationToken;
        var (server, url, key) = await ExecutableProcess.StartDemoAsync();
        await using var _ = server;
        await server.WaitForLineAsync(DashboardLine());
        using var client = new HttpClient { BaseAddress = url };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        using var response = await client.SendAsync(Wire.Post("/openai/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}"""), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = await EndedInterceptionAsync(client);

        var seen = await DashboardBrowser.RunAsync("demo", url, key, new Dictionary<string, string>(), ct);

        Assert.Equal("1", seen.GetProperty("overview").GetProperty("interceptions").GetString());
        Assert.Equal([id], seen.GetProperty("interceptions").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(seen.GetProperty("csp").EnumerateArray());
    }

    private static async Task<string> EndedInterceptionAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var page = JsonDocument.Parse(await client.GetStringAsync("/api/v1/interceptions", TestContext.Current.CancellationToken)).RootElement;
            if (page.GetProperty("interceptions").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } first
                && first.GetProperty("status").GetString() == "completed")
                return first.GetProperty("id").GetString()!;
            Assert.True(DateTime.UtcNow < deadline, "the demo request was never recorded");
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }

    [GeneratedRegex(@"Dashboard: http://\S+/ui \(sign in with the key above\)")]
    private static partial Regex DashboardLine();
}

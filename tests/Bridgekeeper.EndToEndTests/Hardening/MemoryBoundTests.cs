using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bridgekeeper.Auth;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;

namespace Bridgekeeper.EndToEndTests.Hardening;

/// <summary>
/// Memory is bounded in bytes: the real executable, in a process of its own with the mock upstream in another, stays
/// under 400 MiB of peak resident memory (VmHWM) while four 30 MiB prompts stream through it at once and a member lists
/// 1,000 interceptions whose prompts are 126 KB each (as stored by an older version, before prompts were capped).
/// </summary>
public sealed partial class MemoryBoundTests(ITestOutputHelper output)
{
    private const long Budget = 400L * 1024 * 1024;

    [Fact]
    public async Task FourConcurrent30MiBPromptsAndA1000RowList_StayUnder400MiBResident()
    {
        Assert.SkipWhen(TestPostgres.Selected, "Measures one process on its own SQLite file; the storage side is covered on PostgreSQL elsewhere.");
        var ct = TestContext.Current.CancellationToken;
        var folder = Directory.CreateTempSubdirectory("bk-mem-").FullName;
        var database = Path.Combine(folder, "bk.db");
        var memberKey = await SeedAsync(database, rows: 1000, promptBytes: 126 * 1024, ct);

        await using var upstream = ExecutableProcess.Start(["mock-upstream", "--http-address", "127.0.0.1:0"]);
        var mock = new Uri((await upstream.WaitForLineAsync(MockListening())).Groups[1].Value);
        await using var gateway = ExecutableProcess.Start(["server", "--http-address", "127.0.0.1:0", "--database", database],
            new Dictionary<string, string>
            {
                ["BRIDGEKEEPER_OPENAI_KEY"] = "sk-memory-test",
                ["BRIDGEKEEPER_OPENAI_BASE_URL"] = new Uri(mock, "openai/v1/").AbsoluteUri,
            });
        var url = await gateway.ListeningUrlAsync();
        var idle = gateway.StatusBytes("VmRSS");

        using var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromMinutes(3) };
        var prompts = Enumerable.Range(0, 4).Select(i => SendPromptAsync(client, memberKey, 30 * 1024 * 1024, (char)('a' + i), ct)).ToList();
        var listed = ListEverythingAsync(client, memberKey, ct);
        var statuses = await Task.WhenAll(prompts);
        var rows = await listed;

        var peak = gateway.StatusBytes("VmHWM");
        output.WriteLine($"gateway resident memory: {idle / 1048576} MiB idle, {peak / 1048576} MiB peak (budget {Budget / 1048576} MiB)");
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.True(rows >= 1000, $"listed {rows} rows");
        Assert.True(peak < Budget, $"peak resident memory {peak / 1048576} MiB is over {Budget / 1048576} MiB\n{gateway.Output}");
    }

    private static async Task<HttpStatusCode> SendPromptAsync(HttpClient client, string key, int promptBytes, char fill, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"{{new string(fill, promptBytes)}}"}]}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/openai/v1/chat/completions") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Authorization = new("Bearer", key);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
        return response.StatusCode;
    }

    /// <summary>Every interception through the API, page after page as <c>next_cursor</c> says; the number of rows.</summary>
    private static async Task<int> ListEverythingAsync(HttpClient client, string key, CancellationToken ct)
    {
        var rows = 0;
        string? cursor = null;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/interceptions?limit=1000" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            request.Headers.Authorization = new("Bearer", key);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            using var page = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
            rows += page.RootElement.GetProperty("interceptions").GetArrayLength();
            cursor = page.RootElement.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        return rows;
    }

    /// <summary>A database holding <paramref name="rows"/> finished interceptions with big prompts, all of one member; that member's key.</summary>
    private static async Task<string> SeedAsync(string path, int rows, int promptBytes, CancellationToken ct)
    {
        await using var database = Database.Open(path);
        await new Migrator(database).ApplyAsync(ct);
        var users = new UserStore(database, TimeProvider.System);
        var member = await users.CreateUserAsync("mona", Roles.Member, null, ct);
        var memberKey = ApiKey.Generate();
        await users.CreateKeyAsync(member.Id, "test", null, memberKey.Hash, memberKey.Hint, ct);
        var store = new AuditStore(database);
        var prompt = new string('q', promptBytes);
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        for (var batch = 0; batch < rows; batch += 100)
        {
            var records = new List<AuditRecord>();
            for (var i = batch; i < Math.Min(rows, batch + 100); i++)
            {
                var at = start.AddMilliseconds(i);
                var id = AuditIds.New(at);
                records.Add(new InterceptionStarted(id, at, member.Id, "openai", "openai", "gpt-4o", "Unknown", null, null, true, "{}"));
                records.Add(new PromptRecorded(id, at, prompt));
                records.Add(new TokenUsageRecorded(id, at, "chatcmpl-" + i, 10, 5, 0, 0, 0, "{}"));
                records.Add(new InterceptionEnded(id, at.AddMilliseconds(1), InterceptionStatus.Completed, null));
            }
            await store.AppendAsync(records, ct);
        }
        return memberKey.Key;
    }


    [GeneratedRegex(@"Mock upstream on (http://\S+)")]
    private static partial Regex MockListening();
}

using System.Text.Json;
using Bridgekeeper.Api;
using Bridgekeeper.Auth;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Bridgekeeper.EndToEndTests;

/// <summary>
/// One member asked for <c>limit=1000</c> of interceptions with 126 KB prompts: a 126 MB body built in memory (1.5 GiB
/// of RSS). Now the page is streamed and capped at 16 MiB: the client follows <c>next_cursor</c>, every row arrives
/// exactly once and in order, and the gateway's live managed heap stays far below one page's rows.
/// </summary>
[Collection(nameof(MemoryMeasuredCollection))]
public sealed class InterceptionPagingTests : GatewayTest
{
    private const int Rows = 1000;
    private const int PromptChars = 126 * 1024;

    /// <summary>Live managed heap allowed above the baseline while the page is written: 1,000 such rows held at once are over 250 MB.</summary>
    private const long HeapBudget = 64L * 1024 * 1024;

    [Fact]
    public async Task Interceptions_ThousandRowsOf126KB_StreamInCappedPagesEveryRowOnceInOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        var owner = await Gateway.App.App.Services.GetRequiredService<UserStore>().CreateUserAsync("bulk", Roles.Member, null, ct);
        var seeded = await AuditSeed.LargePromptsAsync(Gateway.App.App.Services.GetRequiredService<AuditStore>(), owner.Id, Rows, PromptChars,
            AuditFixtures.T0, ct);
        using var client = Gateway.CreateClient(Gateway.AdminKey);

        var (firstBytes, heapPeak) = await MeasureAsync(client, "/api/v1/interceptions?limit=1000", ct);
        var pages = new List<(int Bytes, List<(string Id, string Prompt)> Rows)>();
        string? cursor = null;
        do
        {
            var bytes = await client.GetByteArrayAsync("/api/v1/interceptions?limit=1000" + (cursor is null ? "" : "&cursor=" + cursor), ct);
            using var page = JsonDocument.Parse(bytes);
            pages.Add((bytes.Length, [.. page.RootElement.GetProperty("interceptions").EnumerateArray()
                .Select(i => (i.GetProperty("id").GetString()!, i.GetProperty("prompts")[0].GetProperty("prompt").GetString()!))]));
            cursor = page.RootElement.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null && pages.Count < 100);

        var expected = seeded.Select((id, i) => (id.ToString(), AuditSeed.Prompt(i, PromptChars))).Reverse().ToList();
        var rowBytes = pages[0].Bytes / pages[0].Rows.Count;
        Assert.True(heapPeak < HeapBudget, $"the live managed heap grew by {heapPeak / (1024 * 1024)} MiB while one page was written");
        Assert.Equal(pages[0].Bytes, firstBytes);
        Assert.Equal(expected.Select(e => e.Item1), pages.SelectMany(p => p.Rows).Select(r => r.Id));
        Assert.True(expected.SequenceEqual(pages.SelectMany(p => p.Rows)), "a prompt came back changed");
        Assert.InRange(pages.Count, 8, 20);
        Assert.All(pages, p => Assert.InRange(p.Bytes, 1, InterceptionPageResult.MaxPageBytes));
        Assert.All(pages.SkipLast(1), p => Assert.True(p.Bytes + rowBytes > InterceptionPageResult.MaxPageBytes, $"a page of {p.Bytes} bytes had room for another row"));
    }

    /// <summary>
    /// Reads <paramref name="path"/> without keeping the body (only its length) while sampling the live managed heap
    /// (a full collection each time) of this process, which runs the gateway; returns the length and the largest growth
    /// over the heap before the request.
    /// </summary>
    private static async Task<(long Bytes, long HeapPeak)> MeasureAsync(HttpClient client, string path, CancellationToken ct)
    {
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var peak = 0L;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
                await Task.Delay(10, CancellationToken.None);
            }
        }, CancellationToken.None);
        long length;
        using (var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct))
        {
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[64 * 1024];
            length = 0;
            for (int read; (read = await body.ReadAsync(buffer, ct)) > 0;)
                length += read;
        }
        await done.CancelAsync();
        await sampler;
        return (length, peak);
    }
}

using System.Text.Json;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Storage;
using static Bridgekeeper.Tests.Storage.AuditFixtures;

namespace Bridgekeeper.Tests.Cli;

[Collection(nameof(ConsoleCollection))]
public sealed class ExportCommandTests
{
    [Theory]
    [InlineData("jsonl")]
    [InlineData("csv")]
    public async Task InterceptionsList_ExportWithoutLimit_WritesEveryRowAcrossPagesOnce(string format)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var user = await new UserStore(temp.Database, TimeProvider.System).CreateUserAsync("bulk", "member", null, ct);
        var records = Enumerable.Range(0, 1205).SelectMany(i =>
        {
            var started = Started(user.Id, T0.AddSeconds(i));
            return new AuditRecord[] { started, Ended(started.InterceptionId, T0.AddSeconds(i)) };
        }).ToList();
        await new AuditStore(temp.Database).AppendAsync(records, ct);

        var (exitCode, output, _) = await CliHarness.RunAsync(temp.Path, "interceptions", "list", "--format", format);

        Assert.Equal(0, exitCode);
        var lines = output.Split(format == "csv" ? "\r\n" : "\n", StringSplitOptions.RemoveEmptyEntries);
        var ids = format == "csv"
            ? lines.Skip(1).Select(l => l[..l.IndexOf(',', StringComparison.Ordinal)]).ToList()
            : lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!).ToList();
        Assert.Equal(1205, ids.Count);
        Assert.Equal(1205, ids.Distinct().Count());
        if (format == "csv")
            Assert.Single(lines, l => l.StartsWith("id,", StringComparison.Ordinal));
    }
}

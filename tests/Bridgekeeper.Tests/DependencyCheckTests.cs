using System.Diagnostics;

namespace Bridgekeeper.Tests;

/// <summary>
/// <c>tools/check-dependencies.py</c> (run by test.sh) on a made-up repository of folders A and B: it passes what
/// <c>docs/dependencies.txt</c> allows and fails, naming file, line and edge, on anything else and on a cycle.
/// </summary>
public sealed class DependencyCheckTests : IDisposable
{
    private readonly string _repository = Directory.CreateTempSubdirectory("bk-deps-").FullName;

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    [Fact]
    public async Task Check_OnlyAllowedUses_Passes()
    {
        Source("A/X.cs", "using Bridgekeeper.B;\n\nnamespace Bridgekeeper.A;\n\ninternal sealed class X;\n");
        Source("B/Y.cs", "namespace Bridgekeeper.B;\n\ninternal sealed class Y;\n");

        var (exitCode, output) = await CheckAsync("# allowed\nA -> B\n");

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task Check_NamespaceRelativeUseNotAllowed_FailsNamingFileLineAndEdge()
    {
        Source("A/X.cs", "namespace Bridgekeeper.A;\n\n/// <see cref=\"B.Y\"/>\ninternal sealed class X;\n");
        Source("B/Y.cs", "namespace Bridgekeeper.B;\n\ninternal sealed class Y;\n");

        var (exitCode, output) = await CheckAsync("# nothing allowed\n");

        Assert.Equal(1, exitCode);
        Assert.Contains("src/Bridgekeeper/A/X.cs:3: A -> B is not allowed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_CycleAmongAllowedEdges_Fails()
    {
        Source("A/X.cs", "using Bridgekeeper.B;\n\nnamespace Bridgekeeper.A;\n\ninternal sealed class X;\n");
        Source("B/Y.cs", "namespace Bridgekeeper.B;\n\ninternal sealed class Y\n{\n    public Bridgekeeper.A.X? X { get; init; }\n}\n");

        var (exitCode, output) = await CheckAsync("A -> B\nB -> A\n");

        Assert.Equal(1, exitCode);
        Assert.Contains("cycle among the allowed edges: A -> B -> A", output, StringComparison.Ordinal);
    }

    private void Source(string path, string text)
    {
        var file = Path.Combine(_repository, "src", "Bridgekeeper", path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
    }

    private async Task<(int ExitCode, string Output)> CheckAsync(string allowed)
    {
        var list = Path.Combine(_repository, "dependencies.txt");
        await File.WriteAllTextAsync(list, allowed, TestContext.Current.CancellationToken);
        var start = new ProcessStartInfo("python3", [Path.Combine(RepositoryRoot(), "tools", "check-dependencies.py"), _repository, list])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Bridgekeeper.slnx")))
                return folder.FullName;
        throw new InvalidOperationException($"No Bridgekeeper.slnx above {AppContext.BaseDirectory}");
    }
}

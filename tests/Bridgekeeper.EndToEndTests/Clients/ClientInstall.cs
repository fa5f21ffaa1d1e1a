namespace Bridgekeeper.EndToEndTests.Clients;

/// <summary>
/// The pinned real clients in <c>tests/clients/node_modules</c> (installed by <c>./test.sh</c> with <c>npm ci</c>).
/// A missing install fails the test, never skips it: a green run must mean the clients really ran.
/// </summary>
internal static class ClientInstall
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary><c>tests/clients</c>: the scripts, and the working directory of the Node runs.</summary>
    public static string Folder => Path.Combine(Root.Value, "tests", "clients");

    public static string ClaudeCode => Require(Path.Combine("node_modules", ".bin", "claude"));

    public static string Codex => Require(Path.Combine("node_modules", ".bin", "codex"));

    /// <summary>The entry script of <c>@modelcontextprotocol/server-everything</c> (run with <c>node</c>).</summary>
    public static string EverythingServer =>
        Require(Path.Combine("node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js"));

    public static string SdkScript
    {
        get
        {
            Require(Path.Combine("node_modules", "openai", "package.json"));
            Require(Path.Combine("node_modules", "@anthropic-ai", "sdk", "package.json"));
            return Path.Combine(Folder, "sdk-smoke.mjs");
        }
    }

    private static string Require(string relative)
    {
        var path = Path.Combine(Folder, relative);
        if (!File.Exists(path))
            Assert.Fail($"{path} is missing: the pinned clients are not installed. Run ./test.sh "
                + "(or npm ci --prefix tests/clients) first; it needs Node 20+ and npm.");
        return path;
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Bridgekeeper.slnx")))
                return folder.FullName;
        throw new InvalidOperationException($"No Bridgekeeper.slnx above {AppContext.BaseDirectory}");
    }
}

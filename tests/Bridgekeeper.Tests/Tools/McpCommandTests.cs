using System.CommandLine;
using Bridgekeeper.Auth;
using Bridgekeeper.Cli;
using Bridgekeeper.Storage;
using Bridgekeeper.Tests.Cli;
using Bridgekeeper.Tests.Storage;

namespace Bridgekeeper.Tests.Tools;

[Collection(nameof(ConsoleCollection))]
public sealed class McpCommandTests
{
    [Fact]
    public async Task TokenSet_ReadsStdin_ThenListShowsServerOnly_ThenDelete()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        var alice = await new UserStore(temp.Database, TimeProvider.System).CreateUserAsync("alice", Roles.Member, null, ct);

        var set = await RunAsync(temp.Path, "ghp_from_stdin\n", "mcp", "token", "set", "alice", "github");
        var list = await RunAsync(temp.Path, "", "mcp", "token", "list", "alice");
        var json = await RunAsync(temp.Path, "", "mcp", "token", "list", "alice", "--format", "json");
        var keys = SecretKeyring.Load(Environment.GetEnvironmentVariable(SecretKeyring.KeySetting), null, temp.Database);
        var stored = await new McpTokenStore(temp.Database, TimeProvider.System, keys).GetTokensAsync(alice.Id, ct);
        var delete = await RunAsync(temp.Path, "", "mcp", "token", "delete", "alice", "github");
        var deleteAgain = await RunAsync(temp.Path, "", "mcp", "token", "delete", "alice", "github");

        Assert.Equal(0, set.ExitCode);
        Assert.DoesNotContain("ghp_from_stdin", set.Out + set.Error);
        Assert.Equal("ghp_from_stdin", stored["github"]);
        Assert.Equal(0, list.ExitCode);
        Assert.Matches(@"^SERVER\s+CREATED\s*\ngithub\s+\d{4}-", list.Out.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("ghp_from_stdin", list.Out + json.Out);
        Assert.StartsWith("""{"mcp_tokens":[{"server":"github","created_at":""", json.Out);
        Assert.Equal(0, delete.ExitCode);
        Assert.Equal(1, deleteAgain.ExitCode);
    }

    [Theory]
    [InlineData("", "alice", "github", 2)]
    [InlineData("tok\n", "alice", "Bad_Name", 2)]
    [InlineData("tok\n", "nobody", "github", 1)]
    public async Task TokenSet_BadInput_Fails(string stdin, string user, string server, int exitCode)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var temp = await TempDatabase.CreateAsync(ct);
        await new UserStore(temp.Database, TimeProvider.System).CreateUserAsync("alice", Roles.Member, null, ct);

        var result = await RunAsync(temp.Path, stdin, "mcp", "token", "set", user, server);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.StartsWith("bridgekeeper: ", result.Error.Split('\n').Last(l => l.Length > 0));
    }

    private static async Task<(int ExitCode, string Out, string Error)> RunAsync(string databasePath, string stdin, params string[] args)
    {
        var globals = new CliGlobals();
        var root = new RootCommand("test");
        root.Options.Add(globals.Config);
        root.Options.Add(globals.Database);
        root.Subcommands.Add(McpCommand.Create(globals));
        var (stdout, stderr, input) = (Console.Out, Console.Error, Console.In);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        Console.SetIn(new StringReader(stdin));
        try
        {
            var exitCode = await root.Parse(["--database", databasePath, .. args]).InvokeAsync();
            return (exitCode, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            Console.SetIn(input);
        }
    }
}

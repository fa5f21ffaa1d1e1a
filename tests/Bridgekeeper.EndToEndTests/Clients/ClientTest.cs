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

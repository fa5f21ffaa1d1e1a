using System.Text;
using System.Text.Json;

namespace Bridgekeeper.EndToEndTests.Spend;

/// <summary>
/// Requests whose budget estimate (a token per 4 bytes of body, and the whole max_tokens) is exactly what the mock
/// upstream then bills (claude-sonnet-4-5 at $3 / $15 per million), so an account's spent-plus-reserved grows by exactly
/// <see cref="Cost"/> per admitted request whether or not the one before has settled yet.
/// </summary>
internal static class SpendRequests
{
    public const int MaxTokens = 100;

    public static string Body(string prompt, bool stream = false) =>
        $$"""{"model":"claude-sonnet-4-5","max_tokens":{{MaxTokens}},"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"{{prompt}}"}]}""";

    public static long InputTokens(string body) => (Encoding.UTF8.GetByteCount(body) + 3) / 4;

    public static decimal Cost(string body) => InputTokens(body) * 3m / 1_000_000 + MaxTokens * 15m / 1_000_000;

    /// <summary>The mock's usage directive that bills exactly the estimate.</summary>
    public static (string, string) Usage(string body) => ("x-mock-usage", $"input={InputTokens(body)},output={MaxTokens}");

    /// <summary>The id of <paramref name="key"/> among the user's keys (by its hint).</summary>
    public static async Task<string> KeyIdAsync(HttpClient admin, string user, string key)
    {
        var keys = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/users/{user}/keys", TestContext.Current.CancellationToken)).RootElement.GetProperty("keys");
        return keys.EnumerateArray().Single(k => k.GetProperty("hint").GetString()!.EndsWith(key[^4..], StringComparison.Ordinal)).GetProperty("id").GetString()!;
    }
}

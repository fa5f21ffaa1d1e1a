using System.Reflection;
using System.Text;
using Bridgekeeper.Tests.Hostile;
using Bridgekeeper.Tests.Providers;

namespace Bridgekeeper.Fuzz;

/// <summary>The seed corpus of each target, from the unit tests' recorded fixtures and realistic requests.</summary>
internal static class Seeds
{
    private static readonly (byte Dialect, Type[] Fixtures, string[] Requests)[] Apis =
    [
        (0, [typeof(OpenAIChatFixtures), typeof(OpenAIChatLoopFixtures)], RealisticRequests.OpenAIChat),
        (1, [typeof(OpenAIResponsesFixtures), typeof(OpenAIResponsesLoopFixtures)], RealisticRequests.OpenAIResponses),
        (2, [typeof(AnthropicMessagesFixtures)], RealisticRequests.AnthropicMessages),
    ];

    public static IReadOnlyList<byte[]> For(string target) => target switch
    {
        "sse" => [.. Apis.SelectMany(api => Streams(api.Fixtures)).Select((stream, i) => Prefixed((byte)i, stream))],
        "request" => [.. Apis.SelectMany(api => api.Requests.Select(request => Prefixed(api.Dialect, request)))],
        "observer" => [.. Apis.SelectMany(api => Streams(api.Fixtures).SelectMany(stream => new[] { Prefixed(api.Dialect, stream), Prefixed((byte)(api.Dialect + 9), stream) }))],
        "body" => [.. Apis.SelectMany(api => Constants(api.Fixtures).Where(IsBody).Select(body => Prefixed(api.Dialect, body)))],
        _ => [],
    };

    private static IEnumerable<string> Streams(Type[] fixtures) => Constants(fixtures).Where(text => text.Contains("data:", StringComparison.Ordinal) && !IsBody(text));

    private static bool IsBody(string text) => text.TrimStart().StartsWith('{');

    private static IEnumerable<string> Constants(Type[] fixtures) => fixtures
        .SelectMany(type => type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
        .Where(field => field.IsLiteral && field.FieldType == typeof(string))
        .Select(field => (string)field.GetRawConstantValue()!)
        .Where(text => text.Length > 40);

    private static byte[] Prefixed(byte first, string text) => [first, .. Encoding.UTF8.GetBytes(text)];
}

using System.Text.Json.Nodes;
using Bridgekeeper.Interception;

namespace Bridgekeeper.Tests.Hostile;

/// <summary>The request parse step exactly as the endpoint runs it (<see cref="RequestJson.Parse"/>): null is a refusal (400).</summary>
internal static class GatewayParse
{
    public static JsonObject? Parse(byte[] body) => RequestJson.Parse(body, out _);
}

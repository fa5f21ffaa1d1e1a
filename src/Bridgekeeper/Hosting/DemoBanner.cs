using Bridgekeeper.Auth;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Hosting;

/// <summary><c>server --demo</c>: a ready key for a <c>demo</c> user and commands to try every route at once.</summary>
internal static class DemoBanner
{
    public static async Task PrintAsync(UserStore users, Uri url, TextWriter console, CancellationToken cancellationToken)
    {
        var user = await users.FindUserAsync("demo", cancellationToken) ?? await users.CreateUserAsync("demo", Roles.Admin, null, cancellationToken);
        var key = ApiKey.Generate();
        await users.CreateKeyAsync(user.Id, "demo", null, key.Hash, key.Hint, cancellationToken);
        var root = url.AbsoluteUri.TrimEnd('/');
        console.WriteLine($$"""

            Demo mode: the built-in mock upstream answers as 'openai', 'anthropic' and 'bedrock' (a Bedrock stand-in that checks SigV4). Your key (user 'demo'):
              export BRIDGEKEEPER_KEY={{key.Key}}

            Try:
              curl -s {{root}}/openai/v1/chat/completions -H "Authorization: Bearer $BRIDGEKEEPER_KEY" -H 'Content-Type: application/json' \
                -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'
              curl -sN {{root}}/anthropic/v1/messages -H "x-api-key: $BRIDGEKEEPER_KEY" -H 'anthropic-version: 2023-06-01' -H 'Content-Type: application/json' \
                -d '{"model":"claude-sonnet-4-5","max_tokens":256,"stream":true,"messages":[{"role":"user","content":"Hello"}]}'
              curl -s {{root}}/api/v1/interceptions -H "Authorization: Bearer $BRIDGEKEEPER_KEY"

            Dashboard: {{root}}/ui (sign in with the key above)

            SDKs and agents:
              OPENAI_BASE_URL={{root}}/openai/v1 OPENAI_API_KEY=$BRIDGEKEEPER_KEY
              ANTHROPIC_BASE_URL={{root}}/anthropic ANTHROPIC_API_KEY=$BRIDGEKEEPER_KEY claude -p "Hello"
              ANTHROPIC_BASE_URL={{root}}/bedrock ANTHROPIC_API_KEY=$BRIDGEKEEPER_KEY claude -p "Hello"
            """);
    }
}

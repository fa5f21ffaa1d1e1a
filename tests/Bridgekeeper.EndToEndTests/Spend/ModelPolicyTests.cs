using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Bridgekeeper.EndToEndTests.Infrastructure;
using Bridgekeeper.Hosting;
using Bridgekeeper.Spend;
using OpenAI;
using OpenAI.Chat;

namespace Bridgekeeper.EndToEndTests.Spend;

/// <summary>
/// Model allowlists and aliases through the official OpenAI and Anthropic .NET SDKs: a model no allowlist allows is
/// refused with a 403 the SDK raises as its permission error, before anything reaches the upstream; an alias sends the
/// request to its provider with only the body's model changed, and the record says which alias it was.
/// </summary>
public sealed class ModelPolicyTests : GatewayTest
{
    private protected override GatewaySettings Configure(GatewaySettings settings) => settings with
    {
        ModelAliases =
        [
            new ModelAlias("fast", "anthropic", "claude-haiku-4-5"),
            new ModelAlias("deep", "bedrock", GatewayUnderTest.BedrockModel),
            new ModelAlias("house-gpt", "openai", "gpt-4o-mini"),
        ],
    };

    [Fact]
    public async Task KeyAllowlist_OpenAISdk_AllowedModelAnswers_OtherModelIs403BeforeTheUpstream()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("mia");
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        await SetAllowlistAsync(admin, new { key = await SpendRequests.KeyIdAsync(admin, "mia", key), models = new[] { "gpt-4o*", "house-*" } });

        ChatCompletion allowed = await Chat(key, "gpt-4o-mini").CompleteChatAsync([new UserChatMessage("Say hello")], cancellationToken: ct);
        ChatCompletion aliased = await Chat(key, "house-gpt").CompleteChatAsync([new UserChatMessage("Say hello")], cancellationToken: ct);
        var refused = await Assert.ThrowsAsync<ClientResultException>(() => Chat(key, "gpt-5.5").CompleteChatAsync([new UserChatMessage("Say hello")], cancellationToken: ct));

        Assert.Equal("Hello from the mock upstream.", allowed.Content[0].Text);
        Assert.Equal("Hello from the mock upstream.", aliased.Content[0].Text);
        Assert.Equal(403, refused.Status);
        var error = JsonDocument.Parse(refused.GetRawResponse()!.Content.ToString()).RootElement.GetProperty("error");
        Assert.Equal(("permission_error", "model_not_allowed"), (error.GetProperty("type").GetString(), error.GetProperty("code").GetString()));
        Assert.Equal("Bridgekeeper refused this request: this key may use only the models gpt-4o*, house-*, and 'gpt-5.5' is not one of them. "
            + "Ask your platform team if you need it.", error.GetProperty("message").GetString());
        Assert.Equal(["gpt-4o-mini", "gpt-4o-mini"], Upstream.Exchanges.Select(e => JsonDocument.Parse(e.RequestBody).RootElement.GetProperty("model").GetString()));
        var failed = await Gateway.WaitForEndedAsync(i => i.GetProperty("status").GetString() == "failed");
        Assert.StartsWith("model_not_allowed: Bridgekeeper refused this request: this key may use only", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GroupAllowlists_AnthropicSdk_AnyOfTheUsersGroupsMayAllow_AnAliasGoesUpstreamAsItsModel()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("ned");
        await Gateway.CreateKeyAsync("ola");
        using var admin = Gateway.CreateClient(Gateway.AdminKey);
        await admin.PostAsJsonAsync("/api/v1/groups", new { name = "quick", members = new[] { "ned" } }, ct);
        await admin.PostAsJsonAsync("/api/v1/groups", new { name = "research", members = new[] { "ned", "ola" } }, ct);
        await SetAllowlistAsync(admin, new { group = "quick", models = new[] { "fast" } });
        await SetAllowlistAsync(admin, new { group = "research", models = new[] { "claude-opus-*" } });
        var client = Anthropic(key, "anthropic");
        const string prompt = "Hello, Claude";

        var viaAlias = await client.Messages.Create(Message("fast", prompt), ct);
        var viaOtherGroup = await client.Messages.Create(Message("claude-opus-4-5", prompt), ct);
        var refused = await Assert.ThrowsAsync<AnthropicForbiddenException>(() => client.Messages.Create(Message("claude-sonnet-4-5", prompt), ct));

        Assert.Equal((11, 11), (viaAlias.Usage.InputTokens, viaOtherGroup.Usage.InputTokens));
        Assert.Contains("user 'ned' (by groups 'quick', 'research') may use only the models fast, claude-opus-*, and 'claude-sonnet-4-5' is not one of them",
            refused.Message, StringComparison.Ordinal);
        Assert.Equal(["claude-haiku-4-5", "claude-opus-4-5"], Upstream.Exchanges.Select(e => JsonDocument.Parse(e.RequestBody).RootElement.GetProperty("model").GetString()));
        await Gateway.WaitForEndedAsync(expected: 3);
        var aliased = (await Gateway.ListInterceptionsAsync()).Single(i => i.GetProperty("metadata").TryGetProperty("alias", out _));
        Assert.Equal(("claude-haiku-4-5", "anthropic", "fast"), (aliased.GetProperty("model").GetString(), aliased.GetProperty("provider").GetString(),
            aliased.GetProperty("metadata").GetProperty("alias").GetString()));
    }

    [Fact]
    public async Task Alias_ChangesOnlyTheModelsBytes_UnknownFieldsSpacingAndOrderAsTheClientSentThem()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = Gateway.CreateClient(await Gateway.CreateKeyAsync("quinn"), asXApiKey: true);
        const string sent = "{ \"x_custom\" : [1, 2.50, {\"k\":null}],\n  \"model\" :\t\"fast\" , \"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"caf\\u00e9\"}] }";

        using var response = await client.SendAsync(Wire.Post("/anthropic/v1/messages", sent), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(sent.Replace("\"fast\"", "\"claude-haiku-4-5\"", StringComparison.Ordinal), Encoding.UTF8.GetString(Assert.Single(Upstream.Exchanges).RequestBody));
    }

    [Fact]
    public async Task AliasOfABedrockInstance_AnthropicSdkOnTheAnthropicRoute_IsServedByBedrock_AndRecordedAsBedrock()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("pia");

        var message = await Anthropic(key, "anthropic").Messages.Create(Message("deep", "Hello, Bedrock"), ct);

        Assert.Equal(11, message.Usage.InputTokens);
        var exchange = Assert.Single(Upstream.Exchanges);
        Assert.Equal($"/bedrock/model/{GatewayUnderTest.BedrockModel}/invoke", exchange.Path);
        var record = await Gateway.WaitForEndedAsync();
        Assert.Equal(("bedrock", "deep"), (record.GetProperty("provider").GetString(), record.GetProperty("metadata").GetProperty("alias").GetString()));
    }

    [Fact]
    public async Task AliasOnARouteOfAnotherApi_Is400NamingTheRoute_AllowlistsAreValidatedAndListedWithTheAliases()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Gateway.CreateKeyAsync("rex");
        using var admin = Gateway.CreateClient(Gateway.AdminKey);

        var wrongApi = await Assert.ThrowsAsync<ClientResultException>(() => Chat(key, "fast").CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: ct));
        using var noModels = await admin.PostAsJsonAsync("/api/v1/allowlists", new { group = "none", models = Array.Empty<string>() }, ct);
        using var spaced = await admin.PostAsJsonAsync("/api/v1/allowlists", new { key = Guid.NewGuid(), models = new[] { "gpt 4" } }, ct);
        using var noGroup = await admin.PostAsJsonAsync("/api/v1/allowlists", new { group = "none", models = new[] { "gpt-*" } }, ct);
        var listed = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/allowlists", ct)).RootElement;
        var me = JsonDocument.Parse(await Gateway.CreateClient(key).GetStringAsync("/api/v1/me", ct)).RootElement;

        Assert.Equal(400, wrongApi.Status);
        Assert.Contains("The model 'fast' is an alias of 'claude-haiku-4-5' on the provider 'anthropic', which does not serve this API; send it to /anthropic/.",
            wrongApi.Message, StringComparison.Ordinal);
        Assert.Empty(Upstream.Exchanges);
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.NotFound), (noModels.StatusCode, spaced.StatusCode, noGroup.StatusCode));
        Assert.Empty(listed.GetProperty("allowlists").EnumerateArray());
        Assert.Equal(["fast=anthropic/claude-haiku-4-5", $"deep=bedrock/{GatewayUnderTest.BedrockModel}", "house-gpt=openai/gpt-4o-mini"],
            me.GetProperty("aliases").EnumerateArray().Select(a => $"{a.GetProperty("name")}={a.GetProperty("provider")}/{a.GetProperty("model")}"));
    }

    private ChatClient Chat(string key, string model) =>
        new(model, new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(Gateway.Url, "openai/v1"), RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });

    private AnthropicClient Anthropic(string key, string provider) => new() { ApiKey = key, BaseUrl = new Uri(Gateway.Url, provider).AbsoluteUri, MaxRetries = 0 };

    private static MessageCreateParams Message(string model, string prompt) => new() { MaxTokens = 256, Model = model, Messages = [new UserMessageParam(prompt)] };

    private static async Task SetAllowlistAsync(HttpClient admin, object allowlist)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/allowlists", allowlist, TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}

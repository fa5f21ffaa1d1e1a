using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Bridgekeeper.MockUpstream;

/// <summary>The mock's routes: auth, header controls, latency and parsing, then the provider's responder.</summary>
internal sealed class MockEndpoints(MockUpstreamOptions options, TimeProvider time)
{
    private const string AnthropicVersionHeader = "anthropic-version";
    private const string ApiKeyHeader = "x-api-key";
    private const string BearerPrefix = "Bearer ";
    private readonly MockResponseStore _responses = new(MockResponseStore.DefaultCapacity);

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/openai/v1/chat/completions", http => CompletionAsync(http, MockApi.OpenAIChat));
        routes.MapPost("/v1/chat/completions", http => CompletionAsync(http, MockApi.OpenAIChat));
        routes.MapPost("/openai/v1/responses", http => CompletionAsync(http, MockApi.OpenAIResponses));
        routes.MapPost("/v1/responses", http => CompletionAsync(http, MockApi.OpenAIResponses));
        routes.MapGet("/openai/v1/responses/{id}", StoredResponseAsync);
        routes.MapGet("/v1/responses/{id}", StoredResponseAsync);
        routes.MapPost("/anthropic/v1/messages", http => CompletionAsync(http, MockApi.AnthropicMessages));
        routes.MapPost("/v1/messages", http => CompletionAsync(http, MockApi.AnthropicMessages));
        routes.MapPost("/anthropic/v1/messages/count_tokens", CountTokensAsync);
        routes.MapPost("/v1/messages/count_tokens", CountTokensAsync);
        routes.MapGet("/openai/v1/models", http => ModelsAsync(http, MockProvider.OpenAI, null));
        routes.MapGet("/openai/v1/models/{id}", http => ModelsAsync(http, MockProvider.OpenAI, ModelId(http)));
        routes.MapGet("/anthropic/v1/models", http => ModelsAsync(http, MockProvider.Anthropic, null));
        routes.MapGet("/anthropic/v1/models/{id}", http => ModelsAsync(http, MockProvider.Anthropic, ModelId(http)));
        routes.MapGet("/v1/models", http => ModelsAsync(http, Guess(http), null));
        routes.MapGet("/v1/models/{id}", http => ModelsAsync(http, Guess(http), ModelId(http)));
        routes.MapPost(MockCopilot.Prefix + "/chat/completions", http => CompletionAsync(http, MockApi.OpenAIChat, copilot: true));
        routes.MapPost(MockCopilot.Prefix + "/responses", http => CompletionAsync(http, MockApi.OpenAIResponses, copilot: true));
        routes.MapPost(MockCopilot.Prefix + "/v1/messages", http => CompletionAsync(http, MockApi.AnthropicMessages, copilot: true));
        routes.MapGet(MockCopilot.Prefix + "/models", CopilotModelsAsync);
        new BedrockEndpoints(options, time).Map(routes);
    }

    /// <summary>
    /// What the providers put on every response about the account behind the key, as the real APIs do: OpenAI names the
    /// key's organization and project, Anthropic its organization id, and both set a Cloudflare cookie. A gateway must
    /// not hand these to its users.
    /// </summary>
    public static Task AddAccountHeaders(HttpContext http)
    {
        var headers = http.Response.Headers;
        if (BedrockEndpoints.IsBedrockPath(http.Request.Path))
            return Task.CompletedTask;
        if (http.Request.Path.StartsWithSegments("/anthropic") || (!http.Request.Path.StartsWithSegments("/openai") && Guess(http) is MockProvider.Anthropic))
            headers[AnthropicOrganizationHeader] = MockOrganizationId;
        else
        {
            headers[OpenAIOrganizationHeader] = "org-mock-upstream";
            headers[OpenAIProjectHeader] = "proj_mock_upstream";
        }
        headers.SetCookie = "__cf_bm=mock-upstream-session; path=/; expires=Fri, 01-Jan-2100 00:00:00 GMT; HttpOnly; Secure; SameSite=None";
        return Task.CompletedTask;
    }

    public const string OpenAIOrganizationHeader = "openai-organization";
    public const string OpenAIProjectHeader = "openai-project";
    public const string AnthropicOrganizationHeader = "anthropic-organization-id";
    private const string MockOrganizationId = "5f0c7e1e-8d1f-4c2b-9a57-3f8e2a1b6c4d";

    /// <summary>Any path without a route: 404 in the shape of the provider its prefix names (OpenAI otherwise).</summary>
    public static Task NotFoundAsync(MockCall call)
    {
        var request = call.Http.Request;
        if (BedrockEndpoints.IsBedrockPath(request.Path))
            return new BedrockError(StatusCodes.Status404NotFound, "UnknownOperationException", "Unknown operation").WriteAsync(call);
        var provider = request.Path.StartsWithSegments("/anthropic") ? MockProvider.Anthropic : MockProvider.OpenAI;
        return call.WriteJsonAsync(StatusCodes.Status404NotFound, MockErrors.NotFound(provider, request.Method, request.Path.Value ?? "/"));
    }

    /// <param name="copilot">A Copilot route: the user's own Copilot token is wanted, not a provider key.</param>
    private async Task CompletionAsync(HttpContext http, MockApi api, bool copilot = false)
    {
        var call = http.Features.GetRequiredFeature<MockCall>();
        var provider = api is MockApi.AnthropicMessages ? MockProvider.Anthropic : MockProvider.OpenAI;
        if (await AdmitAsync(call, provider, copilot) is not { } controls)
            return;
        if (MockJson.ParseObject(call.Body) is not { } request)
        {
            await call.WriteJsonAsync(StatusCodes.Status400BadRequest, MockErrors.MalformedJson(provider));
            return;
        }
        if (await RejectedAsync(call, api, request))
            return;
        if (!MockReply.TryFrom(api, controls, request, out var reply, out var error, PriorToolRounds(api, request)))
        {
            await call.WriteJsonAsync(StatusCodes.Status400BadRequest, MockErrors.BadRequest(provider, error ?? "bad mock: directive"));
            return;
        }
        if (reply.Scenario is MockScenario.ErrorBefore || (reply.Scenario is MockScenario.ErrorMid && !reply.Stream))
            await ErrorBeforeAsync(call, provider, controls.ErrorStatus);
        else if (api is MockApi.OpenAIChat)
            await OpenAIChatResponder.RespondAsync(call, reply, time.GetUtcNow().ToUnixTimeSeconds());
        else if (api is MockApi.AnthropicMessages)
            await AnthropicMessagesResponder.RespondAsync(call, reply);
        else
            await RespondToResponsesAsync(call, reply, request);
    }

    /// <summary>Answers 404 for <see cref="MockModels.MissingModel"/> and 400 for an unknown <c>previous_response_id</c>.</summary>
    private async Task<bool> RejectedAsync(MockCall call, MockApi api, JsonObject request)
    {
        var provider = api is MockApi.AnthropicMessages ? MockProvider.Anthropic : MockProvider.OpenAI;
        if (MockJson.String(request[MockWireKeys.Model]) is MockModels.MissingModel)
        {
            await call.WriteJsonAsync(StatusCodes.Status404NotFound, MockErrors.ModelNotFound(provider, MockModels.MissingModel));
            return true;
        }
        if (api is MockApi.OpenAIResponses && MockJson.String(request[MockWireKeys.PreviousResponseId]) is { } previous && !_responses.Contains(previous))
        {
            await call.WriteJsonAsync(StatusCodes.Status400BadRequest, MockErrors.PreviousResponseNotFound(previous));
            return true;
        }
        return false;
    }

    /// <summary>Responses: the tool-calling turns among the stored responses the <c>previous_response_id</c> chain goes through.</summary>
    private int PriorToolRounds(MockApi api, JsonObject request)
    {
        var rounds = 0;
        var previous = api is MockApi.OpenAIResponses ? MockJson.String(request[MockWireKeys.PreviousResponseId]) : null;
        for (var hops = 0; previous is not null && hops < MockResponseStore.DefaultCapacity && _responses.Get(previous) is { } response; hops++)
        {
            rounds += MockConversation.HasToolCall(response) ? 1 : 0;
            previous = MockJson.String(response[MockWireKeys.PreviousResponseId]);
        }
        return rounds;
    }

    private Task RespondToResponsesAsync(MockCall call, MockReply reply, JsonObject request)
    {
        var events = new OpenAIResponsesEvents(request, reply.Model, time.GetUtcNow().ToUnixTimeSeconds(),
            MockJson.String(request[MockWireKeys.PreviousResponseId])) { ServiceTier = reply.ServiceTier };
        var stored = request[MockWireKeys.Store] is not JsonValue store || !store.TryGetValue<bool>(out var keep) || keep;
        return new OpenAIResponsesResponder(call, reply, events, stored ? _responses : null).RespondAsync();
    }

    /// <summary><c>GET /v1/responses/{id}</c>: a response this mock produced (and kept), or 404.</summary>
    private async Task StoredResponseAsync(HttpContext http)
    {
        var call = http.Features.GetRequiredFeature<MockCall>();
        if (await AdmitAsync(call, MockProvider.OpenAI) is null)
            return;
        var id = http.Request.RouteValues["id"]?.ToString() ?? "";
        if (_responses.Get(id) is { } response)
            await call.WriteJsonAsync(StatusCodes.Status200OK, response, [new(OpenAIChatResponder.RequestIdHeader, MockErrors.NewOpenAIRequestId())]);
        else
            await call.WriteJsonAsync(StatusCodes.Status404NotFound, MockErrors.ResponseNotFound(id));
    }

    private async Task CountTokensAsync(HttpContext http)
    {
        var call = http.Features.GetRequiredFeature<MockCall>();
        if (await AdmitAsync(call, MockProvider.Anthropic) is null)
            return;
        if (MockJson.ParseObject(call.Body) is null)
        {
            await call.WriteJsonAsync(StatusCodes.Status400BadRequest, MockErrors.MalformedJson(MockProvider.Anthropic));
            return;
        }
        var body = new JsonObject { [MockWireKeys.InputTokens] = Math.Max(1, call.Body.Length / 4) };
        await call.WriteJsonAsync(StatusCodes.Status200OK, body);
    }

    private async Task ModelsAsync(HttpContext http, MockProvider provider, string? id)
    {
        var call = http.Features.GetRequiredFeature<MockCall>();
        if (await AdmitAsync(call, provider) is null)
            return;
        var body = (provider, id) switch
        {
            (MockProvider.OpenAI, null) => MockModels.OpenAIList(),
            (MockProvider.OpenAI, _) => MockModels.OpenAIModel(id),
            (_, null) => MockModels.AnthropicList(),
            _ => MockModels.AnthropicModel(id),
        };
        await call.WriteJsonAsync(StatusCodes.Status200OK, body);
    }

    private async Task CopilotModelsAsync(HttpContext http)
    {
        var call = http.Features.GetRequiredFeature<MockCall>();
        if (await AdmitAsync(call, MockProvider.OpenAI, copilot: true) is not null)
            await call.WriteJsonAsync(StatusCodes.Status200OK, MockCopilot.Models());
    }

    /// <summary>
    /// Checks the key (on a Copilot route the user's Copilot token, <see cref="MockCopilot.Refusal"/>) and reads the
    /// controls (answering 401 or 400 when they fail), then waits the latency.
    /// </summary>
    private async Task<MockControls?> AdmitAsync(MockCall call, MockProvider provider, bool copilot = false)
    {
        var headers = call.Http.Request.Headers;
        var key = provider is MockProvider.OpenAI ? BearerKey(headers.Authorization.ToString()) : headers[ApiKeyHeader].ToString().Trim();
        var refusal = copilot ? MockCopilot.Refusal(headers, options.ExpectedKey)
            : key.Length == 0 || (options.ExpectedKey is { } expected && key != expected) ? MockErrors.Unauthorized(provider, missing: key.Length == 0)
            : null;
        if (refusal is not null)
        {
            await call.WriteJsonAsync(StatusCodes.Status401Unauthorized, refusal);
            return null;
        }
        if (!MockControls.TryRead(headers, options, out var controls, out var error))
        {
            await call.WriteJsonAsync(StatusCodes.Status400BadRequest, MockErrors.BadRequest(provider, error ?? "bad x-mock header"));
            return null;
        }
        call.Controls = controls;
        await call.DelayAsync(controls.Latency);
        return controls;
    }

    private static Task ErrorBeforeAsync(MockCall call, MockProvider provider, int status)
    {
        List<KeyValuePair<string, string>> headers = [new("retry-after", "7")];
        if (provider is MockProvider.OpenAI)
        {
            headers.Add(new("x-ratelimit-remaining-requests", "0"));
            headers.Add(new(OpenAIChatResponder.RequestIdHeader, MockErrors.NewOpenAIRequestId()));
        }
        else
        {
            headers.Add(new("anthropic-ratelimit-requests-remaining", "0"));
            headers.Add(new(AnthropicMessagesResponder.RequestIdHeader, MockErrors.NewAnthropicRequestId()));
        }
        return call.WriteJsonAsync(status, MockErrors.ForStatus(provider, status), headers);
    }

    private static string BearerKey(string authorization) =>
        authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? authorization[BearerPrefix.Length..].Trim() : "";

    private static string ModelId(HttpContext http) => http.Request.RouteValues["id"]?.ToString() ?? "";

    /// <summary>The unprefixed <c>/v1/models</c> is Anthropic's when the request looks like an Anthropic client's.</summary>
    private static MockProvider Guess(HttpContext http) =>
        http.Request.Headers.ContainsKey(ApiKeyHeader) || http.Request.Headers.ContainsKey(AnthropicVersionHeader)
            ? MockProvider.Anthropic
            : MockProvider.OpenAI;
}

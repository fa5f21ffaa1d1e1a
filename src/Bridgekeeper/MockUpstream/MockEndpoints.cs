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

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/openai/v1/chat/completions", http => CompletionAsync(http, MockProvider.OpenAI));
        routes.MapPost("/v1/chat/completions", http => CompletionAsync(http, MockProvider.OpenAI));
        routes.MapPost("/anthropic/v1/messages", http => CompletionAsync(http, MockProvider.Anthropic));
        routes.MapPost("/v1/messages", http => CompletionAsync(http, MockProvider.Anthropic));
        routes.MapPost("/anthropic/v1/messages/count_tokens", CountTokensAsync);
        routes.MapPost("/v1/messages/count_tokens", CountTokensAsync);
        routes.MapGet("/openai/v1/models", http => ModelsAsync(http, MockProvider.OpenAI, null));
        routes.MapGet("/openai/v1/models/{id}", http => ModelsAsync(http, MockProvider.OpenAI, ModelId(http)));
        routes.MapGet("/anthropic/v1/models", http => ModelsAsync(http, MockProvider.Anthropic, null));
        routes.MapGet("/anthropic/v1/models/{id}", http => ModelsAsync(http, MockProvider.Anthropic, ModelId(http)));
        routes.MapGet("/v1/models", http => ModelsAsync(http, Guess(http), null));
        routes.MapGet("/v1/models/{id}", http => ModelsAsync(http, Guess(http), ModelId(http)));
    }

    /// <summary>Any path without a route: 404 in the shape of the provider its prefix names (OpenAI otherwise).</summary>
    public static Task NotFoundAsync(MockCall call)
    {
        var request = call.Http.Request;
        var provider = request.Path.StartsWithSegments("/anthropic") ? MockProvider.Anthropic : MockProvider.OpenAI;
        return call.WriteJsonAsync(StatusCodes.Status404NotFound, MockErrors.NotFound(provider, request.Method, request.Path.Value ?? "/"));
    }

    private async Task CompletionAsync(HttpContext http, MockProvider provider)
    {
        var call = http.Features.GetRequiredFeature<MockCall>();
        if (await AdmitAsync(call, provider) is not { } controls)
            return;
        if (MockJson.ParseObject(call.Body) is not { } request)
        {
            await call.WriteJsonAsync(StatusCodes.Status400BadRequest, MockErrors.MalformedJson(provider));
            return;
        }
        var defaultModel = provider is MockProvider.OpenAI ? MockModels.DefaultOpenAIModel : MockModels.DefaultAnthropicModel;
        var reply = MockReply.From(provider, controls, request, defaultModel);
        if (controls.Scenario is MockScenario.ErrorBefore || (controls.Scenario is MockScenario.ErrorMid && !reply.Stream))
            await ErrorBeforeAsync(call, provider, controls.ErrorStatus);
        else if (provider is MockProvider.OpenAI)
            await OpenAIChatResponder.RespondAsync(call, reply, time.GetUtcNow().ToUnixTimeSeconds());
        else
            await AnthropicMessagesResponder.RespondAsync(call, reply);
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

    /// <summary>Checks the key and reads the controls (answering 401 or 400 when they fail), then waits the latency.</summary>
    private async Task<MockControls?> AdmitAsync(MockCall call, MockProvider provider)
    {
        var headers = call.Http.Request.Headers;
        var key = provider is MockProvider.OpenAI ? BearerKey(headers.Authorization.ToString()) : headers[ApiKeyHeader].ToString().Trim();
        if (key.Length == 0 || (options.ExpectedKey is { } expected && key != expected))
        {
            await call.WriteJsonAsync(StatusCodes.Status401Unauthorized, MockErrors.Unauthorized(provider, missing: key.Length == 0));
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

namespace Bridgekeeper.Auth;

/// <summary>The authenticated caller of a request.</summary>
internal sealed record GatewayUser(Guid Id, string Name, string Role, Guid KeyId);

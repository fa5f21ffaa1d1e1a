namespace Bridgekeeper.Auth;

/// <summary>
/// The forward proxy's mark on a connection it decrypts (a connection feature, so every request on it sees it): the
/// Bridgekeeper key its <c>CONNECT</c> authenticated with, the host the client asked for and the provider instance that
/// host maps to. Requests on the connection are the key's user's whatever credential they carry themselves; the key is
/// checked again for each request (from the cache), so a key revoked while a connection stays open stops working there too.
/// </summary>
internal sealed record ProxiedConnection(string Key, string Host, string Provider);

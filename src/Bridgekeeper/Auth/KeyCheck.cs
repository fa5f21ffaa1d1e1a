namespace Bridgekeeper.Auth;

/// <summary>Why a request's key was not accepted.</summary>
internal enum KeyRefusal
{
    /// <summary>The key was accepted: <see cref="KeyCheck.User"/> is the caller.</summary>
    None,

    /// <summary>Missing, unknown, revoked or expired (401).</summary>
    Invalid,

    /// <summary>Too many failed authentications from this source recently (429 with <see cref="KeyCheck.RetryAfter"/>).</summary>
    Throttled,

    /// <summary>The key store cannot be reached, so the key cannot be verified (503).</summary>
    Unavailable,
}

/// <summary>The answer to "who is calling?": the caller, or why there is none.</summary>
internal readonly record struct KeyCheck(GatewayUser? User, KeyRefusal Refusal, TimeSpan RetryAfter = default)
{
    public static KeyCheck Accepted(GatewayUser user) => new(user, KeyRefusal.None);

    public static readonly KeyCheck Invalid = new(null, KeyRefusal.Invalid);

    public static readonly KeyCheck Unavailable = new(null, KeyRefusal.Unavailable);

    public static KeyCheck Throttled(TimeSpan retryAfter) => new(null, KeyRefusal.Throttled, retryAfter);

    /// <summary>The <c>Retry-After</c> header value in whole seconds (at least 1).</summary>
    public string RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

namespace Bridgekeeper.Auth;

/// <summary>How many failed authentications one source may have per window before it is throttled; 0 turns the limit off.</summary>
internal sealed record AuthFailureLimit(int PerWindow, TimeSpan Window)
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(1);

    public static readonly AuthFailureLimit Off = new(0, DefaultWindow);

    public bool Enabled => PerWindow > 0;
}

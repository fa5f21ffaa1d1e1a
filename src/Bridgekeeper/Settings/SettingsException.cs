namespace Bridgekeeper.Settings;

/// <summary>A setting has a value the gateway cannot use. The message names the setting, for the operator.</summary>
internal sealed class SettingsException(string setting, string problem) : Exception($"Invalid setting '{setting}': {problem}")
{
    public string Setting { get; } = setting;
}

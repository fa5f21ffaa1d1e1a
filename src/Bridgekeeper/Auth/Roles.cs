namespace Bridgekeeper.Auth;

/// <summary>SPEC §4 roles. Admins manage users and keys; auditors read everything; members see only their own data.</summary>
internal static class Roles
{
    public const string Admin = "admin";
    public const string Auditor = "auditor";
    public const string Member = "member";

    public static bool IsValid(string role) => role is Admin or Auditor or Member;

    public static bool SeesEverything(string role) => role is Admin or Auditor;
}

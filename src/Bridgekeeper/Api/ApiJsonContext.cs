using System.Text.Json.Serialization;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Api;

/// <summary>Source-generated JSON for the REST API and the CLI's json/jsonl output: snake_case names, RFC 3339 UTC timestamps.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, Converters = [typeof(Rfc3339TimestampConverter)])]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(InterceptionPage))]
[JsonSerializable(typeof(InterceptionView))]
[JsonSerializable(typeof(IReadOnlyList<InterceptionView>))]
[JsonSerializable(typeof(SessionPage))]
[JsonSerializable(typeof(SessionSummary))]
[JsonSerializable(typeof(IReadOnlyList<SessionSummary>))]
[JsonSerializable(typeof(SessionThread))]
[JsonSerializable(typeof(UsageResponse))]
[JsonSerializable(typeof(UsageSummaryResponse))]
[JsonSerializable(typeof(IReadOnlyList<UsageRow>))]
[JsonSerializable(typeof(UserDto))]
[JsonSerializable(typeof(UserListResponse))]
[JsonSerializable(typeof(IReadOnlyList<UserDto>))]
[JsonSerializable(typeof(CreateUserRequest))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(CreatedKeyResponse))]
[JsonSerializable(typeof(MeResponse))]
[JsonSerializable(typeof(SignInRequest))]
[JsonSerializable(typeof(BrowserSessionResponse))]
[JsonSerializable(typeof(SetRoleRequest))]
[JsonSerializable(typeof(KeyListResponse))]
[JsonSerializable(typeof(GroupDto))]
[JsonSerializable(typeof(GroupListResponse))]
[JsonSerializable(typeof(IReadOnlyList<GroupDto>))]
[JsonSerializable(typeof(CreateGroupRequest))]
[JsonSerializable(typeof(GroupMemberRequest))]
[JsonSerializable(typeof(BudgetRequest))]
[JsonSerializable(typeof(BudgetDto))]
[JsonSerializable(typeof(BudgetListResponse))]
[JsonSerializable(typeof(IReadOnlyList<BudgetDto>))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;

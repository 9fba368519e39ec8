using System.Text.Json.Serialization;

namespace Patchbay.LinkedAccounts;

// Refold's linked-account document (refold-api.md §3.1; OpenAPI `LinkedAccount`): Mongo-style names.
public sealed record LinkedAccountResponse(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("associated_org")] string AssociatedOrg,
    [property: JsonPropertyName("account_id")] string AccountId,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("udf")] IReadOnlyList<UdfEntry> Udf,
    [property: JsonPropertyName("is_seed")] bool IsSeed,
    [property: JsonPropertyName("tenant_account_id")] string? TenantAccountId,
    [property: JsonPropertyName("scope"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Scope,
    [property: JsonPropertyName("integrations"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<IntegrationResponse>? Integrations,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("__v")] int Version,
    [property: JsonPropertyName("new_account"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? NewAccount);

// Stored as the wire shape too, so a read is a copy.
public sealed record UdfEntry(
    [property: JsonPropertyName("key_name")] string KeyName,
    [property: JsonPropertyName("key_value")] string KeyValue,
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt);

public sealed record IntegrationResponse(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("icon")] string? Icon,
    [property: JsonPropertyName("identifier"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Identifier,
    [property: JsonPropertyName("app_id")] string? AppId,
    [property: JsonPropertyName("reauth_required")] bool ReauthRequired,
    [property: JsonPropertyName("is_default"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? IsDefault,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt);

public sealed record DeleteLinkedAccountResponse(string Message);

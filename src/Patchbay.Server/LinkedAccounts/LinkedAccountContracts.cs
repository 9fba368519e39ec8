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

// The create body (LA2), for the API reference; LinkedAccountInput parses it. `account_id` or its alias
// `linked_account_id` names the account.
public sealed record CreateLinkedAccountRequest(
    [property: JsonPropertyName("account_id")] string? AccountId = null,
    [property: JsonPropertyName("linked_account_id")] string? LinkedAccountId = null,
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("your_app")] YourAppRequest? YourApp = null,
    [property: JsonPropertyName("udf")] IReadOnlyDictionary<string, string?>? Udf = null,
    [property: JsonPropertyName("scope")] string? Scope = null);

// The upsert body (LA3): the create fields, flat or nested under `payload` (which wins). A udf key sent with null is removed.
public sealed record UpsertLinkedAccountRequest(
    [property: JsonPropertyName("account_id")] string? AccountId = null,
    [property: JsonPropertyName("linked_account_id")] string? LinkedAccountId = null,
    [property: JsonPropertyName("payload")] LinkedAccountFields? Payload = null,
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("your_app")] YourAppRequest? YourApp = null,
    [property: JsonPropertyName("udf")] IReadOnlyDictionary<string, string?>? Udf = null,
    [property: JsonPropertyName("scope")] string? Scope = null);

public sealed record LinkedAccountFields(
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("your_app")] YourAppRequest? YourApp = null,
    [property: JsonPropertyName("udf")] IReadOnlyDictionary<string, string?>? Udf = null,
    [property: JsonPropertyName("scope")] string? Scope = null);

// Credentials of the org's default custom app, sealed on the account's integration.
public sealed record YourAppRequest(
    [property: JsonPropertyName("auth_credentials")] IReadOnlyDictionary<string, string> AuthCredentials,
    [property: JsonPropertyName("app_id")] string? AppId = null);

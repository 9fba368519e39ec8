using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Patchbay.Credentials;

public sealed record UpsertCredentialResponse(bool Success, string Message, string Action);

public sealed record DeleteCredentialResponse(bool Success, string Message);

// CR2's body: the value, any JSON scalar (stored as its string form).
public sealed record UpsertCredentialRequest([property: JsonPropertyName("value")] JsonElement Value);

// CR4's body: `auth_object` has one key naming the auth type (`oauth2`, `keybased`…) whose value holds its fields.
public sealed record MigrateTokenRequest(
    [property: JsonPropertyName("slug")] string Slug,
    [property: JsonPropertyName("auth_object")] JsonObject AuthObject,
    [property: JsonPropertyName("linked_account_id")] string? LinkedAccountId = null);

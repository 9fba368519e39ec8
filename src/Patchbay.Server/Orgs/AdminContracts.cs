using System.Text.Json.Serialization;
using Patchbay.Auth;

namespace Patchbay.Orgs;

public sealed record AdminAppResponse(string Id, string Slug, string Name);

public sealed record AdminKeyResponse(string Environment, string Hint, string Source, DateTimeOffset CreatedAt);

public sealed record AdminOrgResponse(
    string Id, string Name, AdminAppResponse? DefaultApp, IReadOnlyList<AdminKeyResponse> ApiKeys,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static AdminOrgResponse From(OrgRow org, CustomAppRow? app, IEnumerable<ApiKeyRow> keys) => new(
        org.Id, org.Name, app is null ? null : new(app.Id, app.Slug, app.Name),
        keys.Select(k => new AdminKeyResponse(k.Environment, k.KeyHint, k.Source, k.CreatedAt)).ToList(),
        org.CreatedAt, org.UpdatedAt);
}

// The only responses that ever carry an API key in clear: creation and regeneration, once.
public sealed record CreateOrgResponse(AdminOrgResponse Org, IReadOnlyDictionary<string, string> ApiKeys);

public sealed record RegenerateKeyResponse(string OrgId, string Environment, string ApiKey);

// Admin request bodies, for the API reference (the handlers parse them).
public sealed record CreateOrgRequest([property: JsonPropertyName("name")] string Name);

// The org's default app ("your_app"); what is not sent is kept. `auth_fields`: [{name, label, …}] as in app manifests.
public sealed record UpdateDefaultAppRequest(
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("description")] string? Description = null,
    [property: JsonPropertyName("icon")] string? Icon = null,
    [property: JsonPropertyName("auth_fields")] System.Text.Json.Nodes.JsonArray? AuthFields = null);

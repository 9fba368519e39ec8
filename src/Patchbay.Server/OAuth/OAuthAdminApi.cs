using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Apps;
using Patchbay.Auth;
using Patchbay.Http;
using Patchbay.Orgs;

namespace Patchbay.OAuth;

// An org's OAuth application per provider and environment (admin API). The secret is write-only.
public static class OAuthAdminApi
{
    public static void MapOAuthAdmin(this RouteGroupBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        admin.MapGet("/orgs/{orgId}/oauth", List).WithSummary("List the organization's OAuth clients");
        admin.MapPut("/orgs/{orgId}/oauth/{slug}", Save).WithSummary("Set the organization's OAuth client for an app")
            .Accepts<OAuthClientRequest>("application/json");
        admin.MapDelete("/orgs/{orgId}/oauth/{slug}", Delete).WithSummary("Remove the organization's OAuth client for an app")
            .WithQuery("environment", "test or production (default: both).");
    }

    // No environment: both. The secret is write-only.
    public sealed record OAuthClientRequest(
        [property: System.Text.Json.Serialization.JsonPropertyName("client_id")] string ClientId,
        [property: System.Text.Json.Serialization.JsonPropertyName("client_secret")] string? ClientSecret = null,
        [property: System.Text.Json.Serialization.JsonPropertyName("scopes")] IReadOnlyList<string>? Scopes = null,
        [property: System.Text.Json.Serialization.JsonPropertyName("environment")] string? Environment = null);

    public sealed record OAuthClientResponse(string Slug, string Environment, string ClientId, bool HasClientSecret, IReadOnlyList<string>? Scopes, string RedirectUri);

    static async Task<Results<Ok<List<OAuthClientResponse>>, ApiError>> List(
        string orgId, HttpRequest request, OrgStore orgs, OAuthClientStore clients, PublicUrls urls, CancellationToken ct)
    {
        if (await orgs.GetAsync(orgId, ct) is null) return ApiError.NotFound(ErrorCodes.ResourceNotFound, $"Organization {orgId} not found");
        var publicBase = urls.Base(request);
        return TypedResults.Ok((await clients.ListAsync(orgId, ct)).Select(c => new OAuthClientResponse(
            c.Slug, c.Environment, c.ClientId, c.SealedClientSecret is not null, c.ScopeList, OAuthFlow.RedirectUri(publicBase, c.Slug))).ToList());
    }

    // Body: {"client_id", "client_secret", "scopes"?: [...], "environment"?: "test"|"production"} (no environment: both).
    static async Task<Results<Ok<List<OAuthClientResponse>>, ApiError>> Save(
        string orgId, string slug, HttpContext http, OrgStore orgs, OAuthClientStore clients, AppCatalog catalog, PublicUrls urls, TimeProvider time,
        CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var root = body.RootElement;
        if (await orgs.GetAsync(orgId, ct) is null) return ApiError.NotFound(ErrorCodes.ResourceNotFound, $"Organization {orgId} not found");
        if (catalog.Find(slug) is not { } app || !app.Auth.ContainsKey(AppManifest.OAuth2))
            return ApiError.NotFound(ErrorCodes.ResourceNotFound, $"No OAuth2 app '{slug}' in the catalog");
        var clientId = Json.RequiredString(root, "client_id").Trim();
        var secret = Json.OptionalString(root, "client_secret")?.Trim();
        List<string>? scopes = null;
        if (root.TryGetProperty("scopes", out var s) && s.ValueKind != System.Text.Json.JsonValueKind.Null)
        {
            if (s.ValueKind != System.Text.Json.JsonValueKind.Array || s.EnumerateArray().Any(x => x.ValueKind != System.Text.Json.JsonValueKind.String))
                return ApiError.Validation("'scopes' must be an array of strings");
            scopes = [.. s.EnumerateArray().Select(x => x.GetString()!)];
        }
        var environment = Json.OptionalString(root, "environment");
        if (environment is not null && !OrgEnvironments.IsValid(environment)) return ApiError.Validation("'environment' must be test or production");
        var publicBase = urls.Base(http.Request);
        var saved = new List<OAuthClientResponse>();
        foreach (var env in environment is null ? [OrgEnvironments.Test, OrgEnvironments.Production] : new[] { environment })
        {
            await clients.SaveAsync(orgId, env, slug, clientId, secret, scopes, time.GetUtcNow(), ct);
            saved.Add(new OAuthClientResponse(slug, env, clientId, secret is not null, scopes, OAuthFlow.RedirectUri(publicBase, slug)));
        }
        return TypedResults.Ok(saved);
    }

    static async Task<Results<NoContent, ApiError>> Delete(string orgId, string slug, HttpRequest request, OAuthClientStore clients, CancellationToken ct)
    {
        var environment = request.Query["environment"].ToString();
        var removed = false;
        foreach (var env in environment.Length == 0 ? [OrgEnvironments.Test, OrgEnvironments.Production] : new[] { environment })
            removed |= await clients.DeleteAsync(orgId, env, slug, ct);
        return removed ? TypedResults.NoContent() : ApiError.NotFound(ErrorCodes.ResourceNotFound, $"No OAuth client for '{slug}'");
    }
}

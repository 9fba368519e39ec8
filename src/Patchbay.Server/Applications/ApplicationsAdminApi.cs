using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Http;
using Patchbay.Orgs;
using Patchbay.Apps;

namespace Patchbay.Applications;

// Which catalog apps an org offers, per environment (admin API).
public static class ApplicationsAdminApi
{
    public static void MapApplicationsAdmin(this RouteGroupBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        admin.MapGet("/orgs/{orgId}/apps", List).WithSummary("List catalog apps and whether the organization offers them")
            .WithQuery("environment", "test (default) or production.");
        admin.MapPut("/orgs/{orgId}/apps/{slug}", Set).WithSummary("Offer or withdraw a catalog app").Accepts<SetOrgAppRequest>("application/json");
    }

    public sealed record OrgAppResponse(string Slug, string Name, IReadOnlyList<string> AuthTypes, bool Enabled, bool Default);

    // No environment: both.
    public sealed record SetOrgAppRequest(
        [property: System.Text.Json.Serialization.JsonPropertyName("enabled")] bool Enabled,
        [property: System.Text.Json.Serialization.JsonPropertyName("environment")] string? Environment = null);

    static async Task<Results<Ok<List<OrgAppResponse>>, ApiError>> List(
        string orgId, HttpRequest request, OrgStore orgs, OrgAppStore orgApps, AppCatalog catalog, CancellationToken ct)
    {
        var environment = request.Query["environment"].ToString() is { Length: > 0 } e ? e : OrgEnvironments.Test;
        if (!OrgEnvironments.IsValid(environment)) return ApiError.Validation("'environment' must be test or production");
        if (await orgs.GetAsync(orgId, ct) is null) return ApiError.NotFound(ErrorCodes.ResourceNotFound, $"Organization {orgId} not found");
        var overrides = await orgApps.OverridesAsync(orgId, environment, ct);
        var enabled = (await orgApps.EnabledAsync(orgId, environment, ct)).Select(a => a.Slug).ToHashSet();
        return TypedResults.Ok(catalog.All.Select(a => new OrgAppResponse(a.Slug, a.Name, [.. a.Auth.Keys],
            enabled.Contains(a.Slug), !overrides.ContainsKey(a.Slug))).ToList());
    }

    // Body: {"enabled": true|false, "environment": "test"|"production"} (no environment: both).
    static async Task<Results<Ok<OrgAppResponse>, ApiError>> Set(
        string orgId, string slug, HttpContext http, OrgStore orgs, OrgAppStore orgApps, AppCatalog catalog, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        if (Json.OptionalBool(body.RootElement, "enabled") is not { } enabled) return ApiError.Validation("'enabled' is required");
        var environment = Json.OptionalString(body.RootElement, "environment");
        if (environment is not null && !OrgEnvironments.IsValid(environment)) return ApiError.Validation("'environment' must be test or production");
        if (await orgs.GetAsync(orgId, ct) is null) return ApiError.NotFound(ErrorCodes.ResourceNotFound, $"Organization {orgId} not found");
        if (catalog.Find(slug) is not { } app) return ApiError.NotFound(ErrorCodes.ResourceNotFound, $"No app '{slug}' in the catalog");
        foreach (var env in environment is null ? [OrgEnvironments.Test, OrgEnvironments.Production] : new[] { environment })
            await orgApps.SetAsync(orgId, env, slug, enabled, time.GetUtcNow(), ct);
        return TypedResults.Ok(new OrgAppResponse(app.Slug, app.Name, [.. app.Auth.Keys], enabled, false));
    }
}

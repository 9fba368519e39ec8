using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Http;

namespace Patchbay.Orgs;

// The self-hoster's API, under /admin/v1, authenticated by the admin token from configuration.
public static class AdminApi
{
    public static RouteGroupBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin/v1")
            .AddEndpointFilter<AdminTokenFilter>()
            .WithSecurityScheme(ApiDocs.AdminToken)
            .WithTags("Admin");

        admin.MapPost("/orgs", CreateOrg).WithSummary("Create an organization with its keys and default app")
            .Accepts<CreateOrgRequest>("application/json");
        admin.MapGet("/orgs", ListOrgs).WithSummary("List organizations").WithPaging();
        admin.MapGet("/orgs/{orgId}", GetOrg).WithSummary("Get an organization");
        admin.MapPost("/orgs/{orgId}/api-keys/{environment}/regenerate", RegenerateKey)
            .WithSummary("Replace an organization's API key for an environment").WithoutBody();
        admin.MapPut("/orgs/{orgId}/default-app", UpdateDefaultApp).WithSummary("Update an organization's default app")
            .Accepts<UpdateDefaultAppRequest>("application/json");
        return admin;
    }

    static async Task<Results<Created<CreateOrgResponse>, ApiError>> CreateOrg(
        HttpContext http, Db db, OrgStore orgs, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var name = Json.RequiredString(body.RootElement, "name", max: Limits.Name).Trim();
        if (name.Length is 0 or > 200) return ApiError.Validation("'name' must be 1 to 200 characters");

        var now = time.GetUtcNow();
        var created = await db.InTransactionAsync(tx => orgs.CreateAsync(tx, name, new Dictionary<string, string>(), now, ct), ct);
        var keys = await orgs.ListKeysAsync(created.Org.Id, ct);
        orgs.Remember(keys);
        return TypedResults.Created($"/admin/v1/orgs/{created.Org.Id}",
            new CreateOrgResponse(AdminOrgResponse.From(created.Org, created.DefaultApp, keys), created.GeneratedKeys));
    }

    static async Task<Ok<Paginated<AdminOrgResponse>>> ListOrgs(HttpRequest request, OrgStore orgs, CancellationToken ct)
    {
        var page = Page.From(request);
        var (rows, total) = await orgs.ListAsync(page, ct);
        var docs = new List<AdminOrgResponse>(rows.Count);
        foreach (var org in rows)
            docs.Add(AdminOrgResponse.From(org, await orgs.DefaultAppAsync(org.Id, ct), await orgs.ListKeysAsync(org.Id, ct)));
        return TypedResults.Ok(Paginated.Of(docs, total, page));
    }

    static async Task<Results<Ok<AdminOrgResponse>, ApiError>> GetOrg(string orgId, OrgStore orgs, CancellationToken ct)
    {
        var org = await orgs.GetAsync(orgId, ct);
        if (org is null) return OrgNotFound(orgId);
        return TypedResults.Ok(AdminOrgResponse.From(org, await orgs.DefaultAppAsync(org.Id, ct), await orgs.ListKeysAsync(org.Id, ct)));
    }

    static async Task<Results<Ok<RegenerateKeyResponse>, ApiError>> RegenerateKey(
        string orgId, string environment, OrgStore orgs, TimeProvider time, CancellationToken ct)
    {
        if (!OrgEnvironments.IsValid(environment))
            return ApiError.Validation($"Unknown environment '{environment}': use 'test' or 'production'");
        if (await orgs.GetAsync(orgId, ct) is null) return OrgNotFound(orgId);
        var apiKey = await orgs.RegenerateKeyAsync(orgId, environment, time.GetUtcNow(), ct);
        return TypedResults.Ok(new RegenerateKeyResponse(orgId, environment, apiKey));
    }

    // The org's own product as linked accounts see it ("your_app"): name, description, icon, and the credential
    // fields its `your_app.auth_credentials` carry.
    static async Task<Results<Ok<AdminAppResponse>, ApiError>> UpdateDefaultApp(
        string orgId, HttpContext http, OrgStore orgs, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var root = body.RootElement;
        var app = await orgs.DefaultAppAsync(orgId, ct);
        if (app is null) return OrgNotFound(orgId);
        var fields = app.AuthFields;
        if (root.TryGetProperty("auth_fields", out var raw))
        {
            List<Apps.FieldManifest>? parsed;
            try { parsed = System.Text.Json.JsonSerializer.Deserialize<List<Apps.FieldManifest>>(raw.GetRawText(), Apps.ManifestJson.Options); }
            catch (System.Text.Json.JsonException e) { return ApiError.Validation($"'auth_fields' is not a list of fields: {e.Message}"); }
            if (parsed is null || parsed.Any(f => string.IsNullOrWhiteSpace(f.Name) || string.IsNullOrWhiteSpace(f.Label)))
                return ApiError.Validation("'auth_fields' entries need a name and a label");
            fields = System.Text.Json.JsonSerializer.Serialize(parsed, Apps.ManifestJson.Options);
        }
        var updated = app with
        {
            Name = Json.OptionalString(root, "name", max: Limits.Name)?.Trim() is { Length: > 0 } name ? name : app.Name,
            Description = Json.OptionalString(root, "description") ?? app.Description,
            Icon = Json.OptionalString(root, "icon") ?? app.Icon,
            AuthFields = fields,
            UpdatedAt = time.GetUtcNow(),
        };
        await orgs.UpdateDefaultAppAsync(updated, ct);
        return TypedResults.Ok(new AdminAppResponse(updated.Id, updated.Slug, updated.Name));
    }

    static ApiError OrgNotFound(string orgId) => ApiError.NotFound(ErrorCodes.ResourceNotFound, $"Organization {orgId} not found");
}

// Admin requests carry `Authorization: Bearer <admin token>`; compared in fixed time. With no token configured the
// admin API answers 403 and says how to enable it.
public sealed class AdminTokenFilter(IOptionsMonitor<AdminOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var configured = options.CurrentValue.Token;
        if (string.IsNullOrEmpty(configured))
            return ApiError.Forbidden(ErrorCodes.AdminDisabled, "The admin API is disabled: set Patchbay:Admin:Token to enable it");

        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(configured));
        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        if (presented.Length == 0 || !CryptographicOperations.FixedTimeEquals(expected, actual))
            return ApiError.Unauthorized(ErrorCodes.InvalidAdminToken, "Invalid admin token");
        return await next(context);
    }
}

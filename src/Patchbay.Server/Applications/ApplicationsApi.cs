using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Connections;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.LinkedAccounts;
using Patchbay.Orgs;
using Patchbay.Apps;

namespace Patchbay.Applications;

// Applications and their connection status (refold-api.md §3.4 AP1–AP3), the frontend SDK's twins of them
// (§3.22), the SDK's org basics, and the apps' icons.
public static class ApplicationsApi
{
    public static void MapApplications(this IEndpointRouteBuilder app)
    {
        var publicApi = app.MapPublic("Applications");
        publicApi.MapGet("/application", List).RequireAuthorization(Policies.LinkedAccount)
            .WithSummary("List the org's apps with the account's connections").WithListFilters();
        publicApi.MapGet("/application/{slug}", Get).RequireAuthorization(Policies.LinkedAccount)
            .WithSummary("Get an app with the account's connections").WithQuery("auth_type", AuthTypeFilter);
        publicApi.MapGet("/auth-structure/{slug}", AuthStructure).AllowAnonymous().WithTags("Auth Structure")
            .WithSummary("Get an app's authentication fields");

        var sdk = app.MapGroup("").WithTags("Frontend SDK").RequireAuthorization(Policies.LinkedAccount);
        sdk.MapGet(Routes.FrontendSdk + "/application", List).WithSummary("List apps (frontend SDK)").WithListFilters();
        sdk.MapGet(Routes.FrontendSdk + "/application/{slug}", Get).WithSummary("Get an app (frontend SDK)").WithQuery("auth_type", AuthTypeFilter);
        sdk.MapGet("/api/v3/org/basics", OrgBasics).WithSummary("Get the org's name and branding (frontend SDK)");

        app.MapGet("/assets/apps/{file}", Icon).AllowAnonymous().ExcludeFromDescription();
    }

    const string AuthTypeFilter = "Only the connections (and auth types) of this auth type.";

    static RouteHandlerBuilder WithListFilters(this RouteHandlerBuilder builder) => builder
        .WithQuery("slug", "Only this app.")
        .WithQuery("tags", "Comma-separated tags; apps with any of them.")
        .WithQuery("auth_type", "Only apps that support this auth type.")
        .WithQuery("ecosystem", "true: ecosystem apps only (Patchbay's catalog has none, so the list is empty).", ApiParameterType.Flag);

    static async Task<Results<Ok<List<ApplicationResponse>>, ApiError>> List(
        HttpRequest request, Caller caller, LinkedAccountStore accounts, OrgAppStore orgApps, ConnectionStore connections,
        PublicUrls urls, CancellationToken ct)
    {
        var account = await accounts.ForCallerAsync(caller, ct);
        if (account is null) return caller.LinkedAccountNotFound(caller.AccountId);
        var slug = request.Query["slug"].ToString();
        var tags = request.Query["tags"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var authType = request.Query["auth_type"].ToString();
        var ecosystemOnly = request.Query["ecosystem"].ToString() == "true"; // Patchbay's catalog has no ecosystem apps

        var apps = (await orgApps.EnabledAsync(caller.OrgId, caller.Environment, ct))
            .Where(a => slug.Length == 0 || a.Slug == slug)
            .Where(a => tags.Length == 0 || a.Tags.Any(t => tags.Contains(t, StringComparer.OrdinalIgnoreCase)))
            .Where(a => authType.Length == 0 || a.Auth.ContainsKey(authType))
            .Where(_ => !ecosystemOnly);
        var mine = await connections.ForAccountAsync(account.Id, ct);
        var publicBase = urls.Base(request);
        return TypedResults.Ok(apps.Select(a => ApplicationView.For(a, mine, publicBase)).ToList());
    }

    static async Task<Results<Ok<ApplicationResponse>, ApiError>> Get(
        string slug, HttpRequest request, Caller caller, LinkedAccountStore accounts, OrgAppStore orgApps, ConnectionStore connections,
        PublicUrls urls, CancellationToken ct)
    {
        var account = await accounts.ForCallerAsync(caller, ct);
        if (account is null) return caller.LinkedAccountNotFound(caller.AccountId);
        var authType = request.Query["auth_type"].ToString();
        var app = await orgApps.FindEnabledAsync(caller.OrgId, caller.Environment, slug, ct);
        if (app is null || (authType.Length > 0 && !app.Auth.ContainsKey(authType))) return caller.AppNotFound(slug);
        var mine = await connections.ForAccountAsync(account.Id, ct);
        return TypedResults.Ok(ApplicationView.For(app, mine, urls.Base(request)));
    }

    // AP3, unauthenticated: every auth type of the app, each field "string", or {type, required: false} when optional.
    static async Task<Results<Ok<Dictionary<string, Dictionary<string, object>>>, ApiError>> AuthStructure(
        string slug, AppCatalog catalog, OrgAppStore orgApps, CancellationToken ct)
    {
        if (catalog.Find(slug) is { } app)
        {
            var structure = new Dictionary<string, Dictionary<string, object>>();
            foreach (var (type, auth) in app.Auth)
            {
                var fields = new Dictionary<string, object>();
                if (type == AppManifest.OAuth2)
                {
                    fields["access_token"] = "string";
                    fields["refresh_token"] = Optional;
                    fields["expires_in"] = new Dictionary<string, object> { ["type"] = "number", ["required"] = false };
                }
                foreach (var field in type == AppManifest.OAuth2 ? auth.Prerequisites : auth.Fields)
                    fields[field.Name] = field.Required ? "string" : Optional;
                structure[type] = fields;
            }
            return TypedResults.Ok(structure);
        }
        // Custom apps have no schema of their own (refold-api.md AP3).
        if (await orgApps.IsCustomAppAsync(slug, ct)) return TypedResults.Ok(new Dictionary<string, Dictionary<string, object>>());
        return ApiError.NotFound(ErrorCodes.ServerError, $"Schema not found for integration type: {slug}");
    }

    static readonly Dictionary<string, object> Optional = new() { ["type"] = "string", ["required"] = false };

    // What the frontend SDK reads on start-up: the org, the linked account, and the org's own app (the shape is not
    // public; Patchbay's is documented in docs/api.md).
    static async Task<Results<Ok<OrgBasicsResponse>, ApiError>> OrgBasics(
        Caller caller, OrgStore orgs, LinkedAccountStore accounts, CancellationToken ct)
    {
        var account = await accounts.ForCallerAsync(caller, ct);
        var org = await orgs.GetAsync(caller.OrgId, ct);
        if (account is null || org is null) return caller.LinkedAccountNotFound(caller.AccountId);
        var app = await orgs.DefaultAppAsync(caller.OrgId, ct);
        return TypedResults.Ok(new OrgBasicsResponse(
            new OrgBasics(org.Id, org.Name, caller.Environment),
            new AccountBasics(account.Id, account.AccountId, account.Name),
            app is null ? null : new DefaultAppBasics(app.Id, app.Slug, app.Name, app.Icon, app.Description, AuthFieldList(app).Select(InputField.From).ToList())));
    }

    // The app's icon (AppIcons: a vendored brand mark or a generated tile). Public and the same for everyone, so
    // cacheable; served with nosniff and a policy that lets an SVG opened on its own run nothing and load nothing.
    static Results<FileContentHttpResult, StatusCodeHttpResult, ApiError> Icon(string file, HttpContext http, AppIcons icons)
    {
        if (!file.EndsWith(".svg", StringComparison.Ordinal) || icons.Find(file[..^4]) is not { } icon)
            return ApiError.NotFound(ErrorCodes.ResourceNotFound, $"No icon {file}");
        var headers = http.Response.Headers;
        headers.CacheControl = "public, max-age=86400";
        headers.ETag = icon.ETag;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; sandbox";
        if (http.Request.Headers.IfNoneMatch.Contains(icon.ETag)) return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.Bytes(icon.Svg, AppIcons.ContentType);
    }

    // The org's own app keeps its auth fields as manifest fields (JSON).
    static List<FieldManifest> AuthFieldList(CustomAppRow app) =>
        System.Text.Json.JsonSerializer.Deserialize<List<FieldManifest>>(app.AuthFields, ManifestJson.Options) ?? [];
}


public sealed record OrgBasicsResponse(OrgBasics Org, AccountBasics LinkedAccount, DefaultAppBasics? DefaultApp);

public sealed record OrgBasics(
    [property: System.Text.Json.Serialization.JsonPropertyName("_id")] string Id, string Name, string Environment);

public sealed record AccountBasics(
    [property: System.Text.Json.Serialization.JsonPropertyName("_id")] string Id, string AccountId, string Name);

public sealed record DefaultAppBasics(
    [property: System.Text.Json.Serialization.JsonPropertyName("app_id")] string AppId, string Slug, string Name, string? Icon, string? Description,
    IReadOnlyList<InputField> AuthFields);

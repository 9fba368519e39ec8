using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Patchbay.Apps;
using Patchbay.Auth;
using Patchbay.Connections;
using Patchbay.Http;
using Patchbay.LinkedAccounts;
using Patchbay.Orgs;

namespace Patchbay.Credentials;

// Connecting apps with credentials the customer already holds: save-key-credentials (refold-api.md CR1, seeds 000
// and 001), its frontend-SDK twin (CR5) and migrate-token (CR4). Credentials are verified against the provider
// first; nothing is stored unless the provider accepts them.
public static class ConnectApi
{
    public static void MapConnect(this IEndpointRouteBuilder app)
    {
        app.MapPut(Routes.Public + "/linked-account/integration/save-key-credentials/{slug}", SaveKeyCredentials)
            .RequireAuthorization(Policies.LinkedAccount).WithTags("Credentials")
            .WithSummary("Connect a key-based app with the account's credentials")
            .Accepts<System.Text.Json.Nodes.JsonObject>("application/json")
            .WithQuery("auth_type", "The app's key-based auth type (default: the body's `auth_type`, else the app's first key-based type).");
        app.MapPost("/api/v2/app/{slug}/save", SaveKeyCredentials)
            .RequireAuthorization(Policies.LinkedAccount).WithTags("Frontend SDK")
            .WithSummary("Connect a key-based app (frontend SDK)")
            .Accepts<System.Text.Json.Nodes.JsonObject>("application/json")
            .WithQuery("auth_type", "The app's key-based auth type (default: the body's `auth_type`, else the app's first key-based type).");
        app.MapPut(Routes.Public + "/migrate-token", MigrateToken)
            .RequireAuthorization(Policies.Org).WithTags("Credentials")
            .WithSummary("Import an existing OAuth token or key for an app").Accepts<MigrateTokenRequest>("application/json")
            .WithHeader(PatchbayAuthenticationHandler.LinkedAccountHeader, required: false,
                "The linked account to import into (or `linked_account_id` in the body).");
    }

    public sealed record SaveResponse(bool Success);

    public sealed record MigrateResponse(
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] bool? Success,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Message,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Error);

    static async Task<Results<Ok<SaveResponse>, ApiError>> SaveKeyCredentials(
        string slug, HttpContext http, Caller caller, LinkedAccountStore accounts, OrgAppStore orgApps, CredentialVerifier verifier,
        ConnectionStore connections, TimeProvider time, IOptions<ConnectionOptions> options, IOptions<OAuth.OAuthOptions> oauth, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http, required: false);
        var account = await accounts.ForCallerAsync(caller, ct);
        if (account is null) return caller.LinkedAccountNotFound(caller.AccountId);
        var app = await orgApps.FindEnabledAsync(caller.OrgId, caller.Environment, slug, ct);
        if (app is null) return caller.AppNotFound(slug);

        var authType = http.Request.Query["auth_type"].ToString() is { Length: > 0 } q ? q
            : Json.OptionalString(body.RootElement, "auth_type") ?? app.DefaultKeyBasedType;
        if (authType is null) return ApiError.Validation($"Application '{slug}' does not support key-based authentication");
        if (!app.IsKeyBased(authType)) return ApiError.Validation($"Application '{slug}' has no key-based auth type '{authType}'");

        var values = CredentialInput.Read(app, authType, body.RootElement);
        return await VerifyAndSaveAsync(app, authType, values, account.Id, verifier, connections, time, options, oauth, ct) is { } failure
            ? failure
            : TypedResults.Ok(new SaveResponse(true));
    }

    static async Task<Results<Ok<MigrateResponse>, ApiError>> MigrateToken(
        HttpContext http, Caller caller, LinkedAccountStore accounts, OrgAppStore orgApps, OrgStore orgs, CredentialVerifier verifier,
        ConnectionStore connections, TimeProvider time, IOptions<ConnectionOptions> options, IOptions<OAuth.OAuthOptions> oauth, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var root = body.RootElement;
        var accountId = caller.LinkedAccountId ?? Json.OptionalString(root, "linked_account_id");
        if (string.IsNullOrWhiteSpace(accountId)) return ApiError.BadRequest(ErrorCodes.InvalidLinkedAccountId, "linked_account_id is required");
        var slug = Json.RequiredString(root, "slug");
        if (Json.OptionalObject(root, "auth_object") is not { } authObject) return ApiError.Validation("'auth_object' is required and must be an object");

        var account = await accounts.FindAsync(caller.OrgId, caller.Environment, accountId, ct);
        if (account is null)
        {
            return ApiError.BadRequest(ErrorCodes.InvalidLinkedAccountId,
                $"linked account with id {accountId} does not exist in {caller.Environment} environment");
        }
        var defaultApp = await orgs.DefaultAppAsync(caller.OrgId, ct);
        if (defaultApp is not null && (slug == defaultApp.Slug || slug == defaultApp.Id || slug == "custom"))
            return TypedResults.Ok(new MigrateResponse(null, null, "Custom apps are not supported for this endpoint.")); // Refold answers this with 200
        var app = await orgApps.FindEnabledAsync(caller.OrgId, caller.Environment, slug, ct);
        if (app is null) return caller.AppNotFound(slug);

        // Nested ({"oauth2": {…}}: exactly one key naming an auth type) or flat (the app's default auth type).
        var entries = authObject.EnumerateObject().ToList();
        var (authType, credentials) = entries is [var only] && app.Auth.ContainsKey(only.Name) && only.Value.ValueKind == JsonValueKind.Object
            ? (only.Name, only.Value)
            : (app.PrimaryAuthType, authObject);
        if (credentials.EnumerateObject().Any(p => p.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Null)))
            return ApiError.Validation("auth_object values must be valid strings");

        Dictionary<string, string> values;
        if (authType == AppManifest.OAuth2)
        {
            values = CredentialInput.Read(app, authType, credentials, "auth_object");
            var accessToken = Json.OptionalString(credentials, "access_token");
            if (string.IsNullOrWhiteSpace(accessToken)) return ApiError.Validation("'auth_object.access_token' is required");
            values["access_token"] = accessToken.Trim();
            if (Json.OptionalString(credentials, "refresh_token") is { Length: > 0 } refresh) values["refresh_token"] = refresh.Trim();
            if (credentials.TryGetProperty("expires_in", out var expiresIn) && Json.CoerceToString(expiresIn) is { } seconds
                && double.TryParse(seconds, System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0)
            {
                values["expires_at"] = time.GetUtcNow().AddSeconds(s).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        else
        {
            if (credentials.TryGetProperty("access_token", out _) || credentials.TryGetProperty("refresh_token", out _))
                return ApiError.Validation("access_token and/or refresh_token only permitted in auth_object for OAuth2 based applications");
            values = CredentialInput.Read(app, authType, credentials, "auth_object");
        }

        return await VerifyAndSaveAsync(app, authType, values, account.Id, verifier, connections, time, options, oauth, ct) is { } failure
            ? failure
            : TypedResults.Ok(new MigrateResponse(true, "Token migrated successfully", null));
    }

    // The provider's verdict, then the store. Returns the error to answer with, or null when saved.
    static async Task<ApiError?> VerifyAndSaveAsync(AppManifest app, string authType, Dictionary<string, string> values, string accountRowId,
        CredentialVerifier verifier, ConnectionStore connections, TimeProvider time, IOptions<ConnectionOptions> options,
        IOptions<OAuth.OAuthOptions> oauth, CancellationToken ct)
    {
        var result = await verifier.VerifyAsync(app, authType, values, ct);
        if (!result.Ok) return ApiError.Server($"Failed to verify credentials: {result.Reason}");
        var now = time.GetUtcNow();
        var schedule = authType == AppManifest.OAuth2
            ? OAuth.OAuthSchedule.For(values, now, oauth.Value)
            : new ConnectionSchedule(NextCheckAt: app.Auth[authType].Verify is not null && options.Value.RecheckInterval is { Ticks: > 0 } i ? now + i : null);
        await connections.SaveAsync(accountRowId, app, authType, values, result.Identifier, now, schedule, ct);
        return null;
    }
}

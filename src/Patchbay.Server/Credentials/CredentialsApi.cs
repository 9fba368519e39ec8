using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Http;
using Patchbay.LinkedAccounts;

namespace Patchbay.Credentials;

// Default-app credentials, refold-api.md §3.5 CR2 and CR3 (seed 002).
public static class CredentialsApi
{
    public static void MapCredentials(this IEndpointRouteBuilder app)
    {
        var account = app.MapPublic("Credentials", "/linked-account").RequireAuthorization(Policies.LinkedAccount);

        account.MapPut("/default-app/auth-credentials/{key}", UpsertDefaultAppCredential)
            .WithSummary("Set a credential of the default app").Accepts<UpsertCredentialRequest>("application/json");
        account.MapDelete("/default-app/auth-credentials/{key}", DeleteDefaultAppCredential)
            .WithSummary("Delete a credential of the default app");
    }

    static async Task<Results<Ok<UpsertCredentialResponse>, ApiError>> UpsertDefaultAppCredential(
        string key, HttpContext http, Caller caller, IntegrationStore integrations, Vault.Vault vault, TimeProvider time, CancellationToken ct)
    {
        if (key.Length > 200) return ApiError.Validation("Credential key names must be at most 200 characters");
        using var body = await JsonBody.ReadObjectAsync(http);
        if (!body.RootElement.TryGetProperty("value", out var raw) || Json.CoerceToString(raw) is not { } value)
            return ApiError.Validation("'value' is required");

        var target = await integrations.FindDefaultAppAsync(caller.OrgId, caller.Environment, caller.AccountId, ct);
        if (target is null) return caller.LinkedAccountNotFound(caller.AccountId);
        if (target.IntegrationId is not { } integrationId) return DefaultAppNotFound(caller);

        var sealedValue = vault.Seal(value, Vault.Vault.Context("integration_credentials", integrationId, key));
        var action = await integrations.UpsertCredentialAsync(integrationId, key, sealedValue, time.GetUtcNow(), ct);
        return TypedResults.Ok(new UpsertCredentialResponse(true, $"Auth credential '{key}' {action} successfully", action));
    }

    static async Task<Results<Ok<DeleteCredentialResponse>, ApiError>> DeleteDefaultAppCredential(
        string key, Caller caller, IntegrationStore integrations, CancellationToken ct)
    {
        var target = await integrations.FindDefaultAppAsync(caller.OrgId, caller.Environment, caller.AccountId, ct);
        if (target is null) return caller.LinkedAccountNotFound(caller.AccountId);
        if (target.IntegrationId is not { } integrationId) return DefaultAppNotFound(caller);
        if (!await integrations.DeleteCredentialAsync(integrationId, key, ct))
            return ApiError.NotFound(ErrorCodes.ResourceNotFound, $"Auth credential key '{key}' not found");
        return TypedResults.Ok(new DeleteCredentialResponse(true, $"Auth credential '{key}' deleted successfully"));
    }

    static ApiError DefaultAppNotFound(Caller caller) =>
        ApiError.NotFound(ErrorCodes.ResourceNotFound, $"Default app integration not found for linked account {caller.AccountId}");
}

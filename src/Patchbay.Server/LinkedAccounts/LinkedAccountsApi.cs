using System.Data.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Connections;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.Orgs;

namespace Patchbay.LinkedAccounts;

// Linked accounts, refold-api.md §3.1 (LA1–LA7).
public static class LinkedAccountsApi
{
    public static void MapLinkedAccounts(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapPublic("Linked Accounts");

        accounts.MapGet("/linked-account", List).RequireAuthorization(Policies.Org)
            .WithSummary("List linked accounts").WithPaging()
            .WithQuery("scope", "Only accounts with this scope.")
            .WithQuery("env_variable_name", "Filter by environment variable name (not supported yet: 501).")
            .WithQuery("env_variable_value", "Filter by environment variable value (not supported yet: 501).");
        accounts.MapPost("/linked-account", Create).RequireAuthorization(Policies.Org)
            .WithSummary("Create a linked account").Accepts<CreateLinkedAccountRequest>("application/json");
        accounts.MapPut("/linked-account", Upsert).RequireAuthorization(Policies.OrgOrSession)
            .WithSummary("Create or update a linked account").Accepts<UpsertLinkedAccountRequest>("application/json");
        accounts.MapGet("/linked-account/{linked_account_id}", Get).RequireAuthorization(Policies.OrgOrSession)
            .WithSummary("Get a linked account");
        accounts.MapDelete("/linked-account/{linked_account_id}", Delete).RequireAuthorization(Policies.Org)
            .WithSummary("Delete a linked account");
        accounts.MapDelete("/linked-account/integration/{slug}", DeleteIntegration).RequireAuthorization(Policies.OrgLinkedAccount)
            .WithSummary("Disconnect an app from the linked account")
            .WithQuery("auth_type", "Remove only the connection of this auth type (default: all of the app's connections).");
        accounts.MapGet("/session/active-linked-account", Active).RequireAuthorization(Policies.Session)
            .WithSummary("Get the session token's linked account");
        // The frontend SDK's disconnect (refold-api.md §5.1): the same, with a session token.
        app.MapDelete("/api/v1/linked-acc/integration/{slug}", DeleteIntegration).RequireAuthorization(Policies.LinkedAccount).WithTags("Frontend SDK")
            .WithSummary("Disconnect an app (frontend SDK)")
            .WithQuery("auth_type", "Remove only the connection of this auth type (default: all of the app's connections).");
    }

    static async Task<Results<Ok<Paginated<LinkedAccountResponse>>, ApiError>> List(
        HttpRequest request, Caller caller, LinkedAccountStore store, CancellationToken ct)
    {
        var page = Page.From(request);
        var scope = request.Query["scope"].ToString() is { Length: > 0 } s ? s : null;
        // Accounts holding a value of an environment variable (`env_variable_value`: that value; encrypted values are
        // sealed and match no value).
        var variableName = request.Query["env_variable_name"].ToString() is { Length: > 0 } n ? n : null;
        var variableValue = request.Query["env_variable_value"].ToString() is { Length: > 0 } v ? v : null;
        if (variableValue is not null && variableName is null) return ApiError.Validation("'env_variable_value' needs 'env_variable_name'");
        var variable = variableName is null ? null : new VariableFilter(variableName, variableValue);
        var (rows, integrations, total) = await store.ListAsync(caller.OrgId, caller.Environment, scope, variable, page, ct);
        var byAccount = integrations.ToLookup(i => i.LinkedAccountId);
        var docs = rows.Select(r => r.ToResponse(byAccount[r.Id].Select(i => i.ToResponse()).ToList())).ToList();
        return TypedResults.Ok(Paginated.Of(docs, total, page));
    }

    static async Task<Results<Ok<LinkedAccountResponse>, ApiError>> Create(
        HttpContext http, Caller caller, Db db, OrgStore orgs, Vault.Vault vault, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http, duplicatesAllowedAt: LinkedAccountInput.DuplicatesCheckedHere);
        var input = LinkedAccountInput.Parse(body.RootElement, allowPayload: false);
        if (input.AccountId is null) return ApiError.BadRequest(ErrorCodes.InvalidLinkedAccountId, "linked_account_id required");

        var now = time.GetUtcNow();
        try
        {
            var row = await db.InTransactionAsync(async tx =>
            {
                var account = new LinkedAccountRow
                {
                    Id = Ids.New(now), OrgId = caller.OrgId, Environment = caller.Environment, AccountId = input.AccountId,
                    Name = input.Name ?? input.AccountId, Udf = LinkedAccountRow.Serialize(MergeUdf([], input.Udf, now)),
                    Scope = input.Scope, CreatedAt = now, UpdatedAt = now,
                };
                await LinkedAccountStore.InsertAsync(tx, account, ct);
                if (input.YourApp is { } yourApp) await SaveYourAppAsync(tx, caller, account.Id, yourApp, orgs, vault, now, ct);
                return account;
            }, ct);
            return TypedResults.Ok(row.ToResponse(integrations: []));
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return ApiError.BadRequest(ErrorCodes.InvalidLinkedAccountId,
                $"Linked account with id {input.AccountId} already exists in the {caller.Environment} environment");
        }
    }

    static async Task<Results<Ok<LinkedAccountResponse>, ApiError>> Upsert(
        HttpContext http, Caller caller, Db db, OrgStore orgs, Vault.Vault vault, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http, duplicatesAllowedAt: LinkedAccountInput.DuplicatesCheckedHere);
        var input = LinkedAccountInput.Parse(body.RootElement, allowPayload: true);
        // With a session token the account is the token's, whatever the body says.
        var accountId = caller.IsSession ? caller.AccountId : input.AccountId;
        if (accountId is null) return ApiError.BadRequest(ErrorCodes.InvalidLinkedAccountId, "linked_account_id required");

        // Two concurrent upserts of a new id: one inserts, the other hits the unique key and retries as an update.
        for (var attempt = 0; ; attempt++)
        {
            var now = time.GetUtcNow();
            try
            {
                var (row, created) = await db.InTransactionAsync(async tx =>
                {
                    var existing = await LinkedAccountStore.FindAsync(tx, caller.OrgId, caller.Environment, accountId, ct);
                    LinkedAccountRow account;
                    if (existing is null)
                    {
                        account = new LinkedAccountRow
                        {
                            Id = Ids.New(now), OrgId = caller.OrgId, Environment = caller.Environment, AccountId = accountId,
                            Name = input.Name ?? accountId, Udf = LinkedAccountRow.Serialize(MergeUdf([], input.Udf, now)),
                            Scope = input.Scope, CreatedAt = now, UpdatedAt = now,
                        };
                        await LinkedAccountStore.InsertAsync(tx, account, ct);
                    }
                    else
                    {
                        account = existing with
                        {
                            Name = input.Name ?? existing.Name,
                            Udf = LinkedAccountRow.Serialize(MergeUdf(existing.UdfEntries(), input.Udf, now)),
                            Scope = input.Scope ?? existing.Scope,
                            Version = existing.Version + 1,
                            UpdatedAt = now,
                        };
                        await LinkedAccountStore.UpdateAsync(tx, account, ct);
                    }
                    if (input.YourApp is { } yourApp) await SaveYourAppAsync(tx, caller, account.Id, yourApp, orgs, vault, now, ct);
                    return (account, existing is null);
                }, ct);
                return TypedResults.Ok(row.ToResponse(integrations: null, newAccount: created));
            }
            catch (DbException e) when (attempt == 0 && db.Dialect.IsUniqueViolation(e))
            {
            }
        }
    }

    static async Task<Results<Ok<LinkedAccountResponse>, ApiError>> Get(
        string linked_account_id, Caller caller, LinkedAccountStore store, CancellationToken ct)
    {
        // A session token reads its own account only; another id is "not found", as if it did not exist.
        if (caller.IsSession && linked_account_id != caller.AccountId) return caller.LinkedAccountNotFound(linked_account_id);
        var (account, integrations) = await store.FindWithIntegrationsAsync(caller.OrgId, caller.Environment, linked_account_id, ct);
        if (account is null) return caller.LinkedAccountNotFound(linked_account_id);
        return TypedResults.Ok(account.ToResponse(integrations.Select(i => i.ToResponse()).ToList()));
    }

    static async Task<Results<Ok<DeleteLinkedAccountResponse>, ApiError>> Delete(
        string linked_account_id, Caller caller, Db db, SessionStore sessions, SessionTokens tokens, Workers.Outbox outbox, TimeProvider time,
        CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var revoked = await db.InTransactionAsync(async tx =>
        {
            var account = await LinkedAccountStore.FindAsync(tx, caller.OrgId, caller.Environment, linked_account_id, ct);
            if (account is null) return null;
            // Sessions are revoked in the same transaction: no token outlives its account, on any node.
            var sessionIds = await sessions.RevokeForAccountAsync(tx, caller.OrgId, caller.Environment, linked_account_id, now, ct);
            await ConnectionStore.PublishAccountDeletedAsync(tx, outbox, account.Id, now, ct);
            await LinkedAccountStore.DeleteAsync(tx, account.Id, ct);
            await Audit.AuditLog.RecordAsync(tx, LinkedAccountStore.Audited(account, Audit.AuditEvents.LinkedAccountDeleted), now, ct);
            return sessionIds;
        }, ct);
        if (revoked is null) return caller.LinkedAccountNotFound(linked_account_id);
        foreach (var (id, until) in revoked) tokens.MarkRevoked(id, until);
        return TypedResults.Ok(new DeleteLinkedAccountResponse("User deleted successfully"));
    }

    // Removes the app's connection of `auth_type`, or all of its connections; idempotent (LA6).
    static async Task<Results<Ok<LinkedAccountResponse>, ApiError>> DeleteIntegration(
        string slug, HttpRequest request, Caller caller, Db db, Workers.Outbox outbox, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var authType = request.Query["auth_type"].ToString() is { Length: > 0 } t ? t : null;
        var result = await db.InTransactionAsync(async tx =>
        {
            var account = await LinkedAccountStore.FindAsync(tx, caller.OrgId, caller.Environment, caller.AccountId, ct);
            if (account is null) return ((LinkedAccountRow?)null, (IReadOnlyList<IntegrationRow>)[]);
            await ConnectionStore.DeleteAsync(tx, outbox, caller.OrgId, account.Id, slug, authType, now, ct);
            return (account, await LinkedAccountStore.IntegrationsAsync(tx, [account.Id], ct));
        }, ct);
        if (result.Item1 is not { } found) return caller.LinkedAccountNotFound(caller.AccountId);
        return TypedResults.Ok(found.ToResponse(result.Item2.Select(i => i.ToResponse()).ToList()));
    }

    static async Task<Results<Ok<LinkedAccountResponse>, ApiError>> Active(Caller caller, LinkedAccountStore store, CancellationToken ct)
    {
        var (account, integrations) = await store.FindWithIntegrationsAsync(caller.OrgId, caller.Environment, caller.AccountId, ct);
        if (account is null) return caller.LinkedAccountNotFound(caller.AccountId);
        return TypedResults.Ok(account.ToResponse(integrations.Select(i => i.ToResponse()).ToList()));
    }

    // `your_app.auth_credentials` seeds (or, on upsert, extends) the account's integration with the org's default
    // custom app; each value is sealed, bound to its integration and key.
    static async Task SaveYourAppAsync(DbTx tx, Caller caller, string accountRowId, YourAppInput yourApp,
        OrgStore orgs, Vault.Vault vault, DateTimeOffset now, CancellationToken ct)
    {
        var app = await orgs.DefaultAppAsync(tx, caller.OrgId, ct)
            ?? throw new InvalidOperationException($"Organization {caller.OrgId} has no default custom app.");
        if (yourApp.AppId is not null && yourApp.AppId != app.Id)
            throw new ApiException(ApiError.Validation("A valid app_id is required"));
        var integrationId = await IntegrationStore.EnsureDefaultAppAsync(tx, accountRowId, app, now, ct);
        foreach (var (key, value) in yourApp.AuthCredentials)
        {
            var sealedValue = vault.Seal(value, Vault.Vault.Context("integration_credentials", integrationId, key));
            await IntegrationStore.UpsertCredentialAsync(tx, integrationId, key, sealedValue, now, ct);
        }
    }

    // udf keys merge: a new key is added, an existing key's value is replaced (keeping its _id and createdAt),
    // and a key sent with null is removed.
    static List<UdfEntry> MergeUdf(List<UdfEntry> existing, IReadOnlyList<KeyValuePair<string, string?>>? changes, DateTimeOffset now)
    {
        if (changes is null) return existing;
        var result = new List<UdfEntry>(existing);
        foreach (var (key, value) in changes)
        {
            var index = result.FindIndex(e => e.KeyName == key);
            if (value is null)
            {
                if (index >= 0) result.RemoveAt(index);
            }
            else if (index >= 0)
            {
                if (result[index].KeyValue != value) result[index] = result[index] with { KeyValue = value, UpdatedAt = now };
            }
            else
            {
                result.Add(new UdfEntry(key, value, Ids.New(now), now, now));
            }
        }
        return result;
    }
}

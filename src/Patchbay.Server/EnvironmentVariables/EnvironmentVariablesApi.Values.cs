using System.Data.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.LinkedAccounts;
using Patchbay.Workflows;

namespace Patchbay.EnvironmentVariables;

// EN3–EN6: values. An encrypted value is sealed by the vault, bound to its row, and answered as [REDACTED].
public static partial class EnvironmentVariablesApi
{
    // The target of a value: the linked account row and workflow it belongs to (null when its scope has none).
    sealed record Target(LinkedAccountRow? Account, string? WorkflowId);

    static async Task<(Target? Target, ApiError? Error)> TargetAsync(VariableDefinitionRow definition, Caller caller, string? accountId, string? workflowId,
        LinkedAccountStore accounts, WorkflowStore workflows, CancellationToken ct)
    {
        switch (definition.Scope)
        {
            case VariableScopes.LinkedAccount:
                var (account, accountError) = await AccountAsync(caller, accountId, accounts, ct);
                return account is null ? (null, accountError) : (new Target(account, null), null);
            case VariableScopes.Workflow:
                var (workflow, workflowError) = await WorkflowAsync(caller, workflowId, workflows, ct);
                return workflow is null ? (null, workflowError) : (new Target(null, workflow), null);
            default:
                return (new Target(null, null), null);
        }
    }

    // ---- EN3 ----

    static async Task<Results<Ok<EnvValueLookupResponse>, ApiError>> GetValue(string definition_id, HttpRequest request, Caller caller,
        EnvironmentVariableStore store, LinkedAccountStore accounts, WorkflowStore workflows, CancellationToken ct)
    {
        if (EnvironmentMismatch(request, caller) is { } mismatch) return mismatch;
        if (await store.DefinitionAsync(caller.OrgId, definition_id, ct) is not { } definition) return DefinitionNotFound();
        if (caller.IsSession && definition.Scope != VariableScopes.LinkedAccount) return SessionScopeOnly();
        var (target, error) = await TargetAsync(definition, caller, null, Query(request, "workflow_id"), accounts, workflows, ct);
        if (target is null) return error!;
        var value = await store.ValueForAsync(definition.Id, caller.Environment, target.Account?.Id, target.WorkflowId, ct);
        if (value is null) return ValueNotFound();
        return TypedResults.Ok(new EnvValueLookupResponse(value.WireValue, value.SealedValue is not null, definition.Name, definition.Scope, definition.Id));
    }

    // A key (or token) answers for its own environment only; `environment` may repeat it, not choose another.
    static ApiError? EnvironmentMismatch(HttpRequest request, Caller caller) =>
        Query(request, "environment") is { } environment && environment != caller.Environment
            ? ApiError.Validation($"'environment' must be the credential's own environment ({caller.Environment})")
            : null;

    // ---- EN4 ----

    static async Task<Results<Ok<EnvValueResponse>, ApiError>> SetValue(HttpContext http, Caller caller, Db db, Vault.Vault vault,
        EnvironmentVariableStore store, LinkedAccountStore accounts, WorkflowStore workflows, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var input = EnvironmentVariableInput.ParseValue(body.RootElement);
        if (await store.DefinitionAsync(caller.OrgId, input.DefinitionId, ct) is not { } definition) return DefinitionNotFound();
        if (caller.IsSession && definition.Scope != VariableScopes.LinkedAccount) return SessionScopeOnly();
        if (input.LinkedAccountId is not null && definition.Scope != VariableScopes.LinkedAccount)
            return ApiError.Validation($"'linked_account_id' applies to linked_account-scoped variables only ({definition.Name} is {definition.Scope}-scoped)");
        if (input.WorkflowId is not null && definition.Scope != VariableScopes.Workflow)
            return ApiError.Validation($"'workflow_id' applies to workflow-scoped variables only ({definition.Name} is {definition.Scope}-scoped)");
        if (!VariableFormats.Matches(definition.VarFormat, input.Value))
            return ApiError.BadRequest(ErrorCodes.ServerError, "value does not match the variable format");
        var (target, error) = await TargetAsync(definition, caller, input.LinkedAccountId, input.WorkflowId, accounts, workflows, ct);
        if (target is null) return error!;

        // Two first writes at once: one inserts, the other meets the unique index and retries as a replace.
        for (var attempt = 0; ; attempt++)
        {
            var now = time.GetUtcNow();
            try
            {
                var row = await db.InTransactionAsync(async tx =>
                {
                    var existing = await EnvironmentVariableStore.ValueForAsync(tx, definition.Id, caller.Environment, target.Account?.Id, target.WorkflowId, ct);
                    var id = existing?.Id ?? Ids.New(now);
                    var row = new VariableValueRow
                    {
                        Id = id, DefinitionId = definition.Id, OrgId = caller.OrgId, Environment = caller.Environment,
                        LinkedAccountRowId = target.Account?.Id, AccountId = target.Account?.AccountId, WorkflowId = target.WorkflowId,
                        Value = definition.Encrypted ? null : input.Value,
                        SealedValue = definition.Encrypted ? vault.Seal(input.Value, VariableValueRow.SealContext(id)) : null,
                        CreatedAt = existing?.CreatedAt ?? now, UpdatedAt = now,
                        Name = definition.Name, Scope = definition.Scope, Encrypted = definition.Encrypted,
                    };
                    if (existing is null) await EnvironmentVariableStore.InsertValueAsync(tx, row, ct);
                    else await EnvironmentVariableStore.UpdateValueAsync(tx, row, ct);
                    return row;
                }, ct);
                return TypedResults.Ok(row.ToResponse());
            }
            catch (DbException e) when (attempt == 0 && db.Dialect.IsUniqueViolation(e))
            {
            }
        }
    }

    // ---- EN5 ----

    static async Task<Results<Ok<EnvValueList>, ApiError>> ListValues(string scope, HttpRequest request, Caller caller,
        EnvironmentVariableStore store, LinkedAccountStore accounts, WorkflowStore workflows, CancellationToken ct)
    {
        if (!VariableScopes.IsValid(scope)) return ApiError.Validation($"'scope' must be one of {string.Join(", ", VariableScopes.All)}");
        if (caller.IsSession && scope != VariableScopes.LinkedAccount) return SessionScopeOnly();
        var page = Page.From(request);
        string? accountRowId = null, workflowId = null;
        if (scope == VariableScopes.Workflow)
        {
            var (workflow, error) = await WorkflowAsync(caller, Query(request, "workflow_id"), workflows, ct);
            if (workflow is null) return error!;
            workflowId = workflow;
        }
        // With the key and no linked account named, every account's values of the environment.
        if (scope == VariableScopes.LinkedAccount && (caller.IsSession || caller.LinkedAccountId is not null))
        {
            var (account, error) = await AccountAsync(caller, null, accounts, ct);
            if (account is null) return error!;
            accountRowId = account.Id;
        }
        var (rows, total) = await store.ValuesAsync(caller.OrgId, caller.Environment, scope, Query(request, "variable_definition_id"),
            accountRowId, workflowId, page, ct);
        return TypedResults.Ok(EnvValueList.From(Paginated.Of(rows.Select(r => r.ToResponse()).ToList(), total, page)));
    }

    // ---- EN6 ----

    // A session token deletes its own account's values only; the key with a linked account, that account's only.
    static async Task<Results<Ok<EnvDeletedResponse>, ApiError>> DeleteValue(string value_id, Caller caller, Db db, EnvironmentVariableStore store,
        TimeProvider time, CancellationToken ct)
    {
        var value = await store.ValueAsync(caller.OrgId, caller.Environment, value_id, ct);
        if (value is null || (caller.LinkedAccountId is { } accountId && value.AccountId != accountId)) return ValueNotFound();
        var deleted = await db.InTransactionAsync(async tx =>
        {
            var count = await EnvironmentVariableStore.DeleteValueAsync(tx, value.Id, ct);
            if (count > 0) await Audit.AuditLog.RecordAsync(tx, EnvironmentVariableStore.Audited(value, Audit.AuditEvents.VariableValueDeleted), time.GetUtcNow(), ct);
            return count;
        }, ct);
        if (deleted == 0) return ValueNotFound();
        return TypedResults.Ok(new EnvDeletedResponse(EnvStatus.Success, $"Variable value for \"{value.Name}\" deleted successfully"));
    }
}

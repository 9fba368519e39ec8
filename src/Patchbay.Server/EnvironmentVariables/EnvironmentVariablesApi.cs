using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.LinkedAccounts;
using Patchbay.Workflows;

namespace Patchbay.EnvironmentVariables;

// Environment variables, refold-api.md §3.17 (EN1–EN6), and the definitions' management routes Refold keeps in its
// dashboard (Patchbay: the org key, under Routes.Patchbay). Values handlers are in EnvironmentVariablesApi.Values.cs.
public static partial class EnvironmentVariablesApi
{
    const string Tag = "Environment Variables";

    public static void MapEnvironmentVariables(this IEndpointRouteBuilder app)
    {
        var env = app.MapPublic(Tag, "/env");
        env.MapGet("/definitions", ListDefinitions).RequireAuthorization(Policies.OrgOrSession)
            .WithSummary("List variable definitions (a session token sees linked_account-scoped ones)")
            .WithDefinitionFilters();
        env.MapGet("/definitions/{id}", GetDefinition).RequireAuthorization(Policies.Org).WithSummary("Get a variable definition");
        env.MapGet("/value/{definition_id}", GetValue).RequireAuthorization(Policies.OrgOrSession)
            .WithSummary("Get a definition's value at its scope (encrypted values answer [REDACTED])")
            .WithOptionalLinkedAccount(AccountOfValue)
            .WithQuery("workflow_id", "For a workflow-scoped definition: the workflow (its id or alias).")
            .WithQuery("environment", "The credential's own environment (test or production); another is refused.");
        env.MapPost("/values", SetValue).RequireAuthorization(Policies.OrgOrSession)
            .WithSummary("Set (create or replace) a variable value").Accepts<SetEnvValueRequest>("application/json")
            .WithOptionalLinkedAccount(AccountOfValue);
        // Same template as the delete below, told apart by method (refold-api.md §3.17).
        env.MapGet("/values/{scope}", ListValues).RequireAuthorization(Policies.OrgOrSession).WithSummary("List the values of a scope")
            .WithOptionalLinkedAccount("For the linked_account scope with the org API key: that account's values only (without it, every account's).")
            .WithQuery("variable_definition_id", "Only the values of this definition.")
            .WithQuery("workflow_id", "Required for the workflow scope: the workflow (its id or alias).")
            .WithPaging();
        env.MapDelete("/values/{value_id}", DeleteValue).RequireAuthorization(Policies.OrgOrSession).WithSummary("Delete a variable value")
            .WithOptionalLinkedAccount("With the org API key: delete only if the value belongs to this linked account.");

        var manage = app.MapGroup(Routes.Patchbay + "/env/definitions").WithTags(Tag).RequireAuthorization(Policies.Org);
        manage.MapGet("", ListDefinitions).WithSummary("List variable definitions")
            .WithDefinitionFilters();
        manage.MapPost("", CreateDefinition).WithSummary("Create a variable definition").Accepts<VariableDefinitionRequest>("application/json");
        manage.MapGet("/{id}", GetDefinition).WithSummary("Get a variable definition (management API)");
        manage.MapPatch("/{id}", UpdateDefinition).WithSummary("Change a variable definition").Accepts<VariableDefinitionChangeRequest>("application/json");
        manage.MapDelete("/{id}", DeleteDefinition).WithSummary("Delete a variable definition and all of its values");
    }

    // The query ListDefinitions reads.
    static RouteHandlerBuilder WithDefinitionFilters(this RouteHandlerBuilder builder) =>
        builder.WithQuery("scope", $"Only this scope: {string.Join(", ", VariableScopes.All)}.")
            .WithQuery("var_format", $"Only this format: {string.Join(", ", VariableFormats.All)}.")
            .WithQuery("name", "Only names matching this regular expression.")
            .WithQuery("names", "Only these names (comma-separated).")
            .WithPaging();

    const string AccountOfValue =
        "For a linked_account-scoped definition with the org API key: the linked account (a session token names its own).";

    static ApiError DefinitionNotFound() => ApiError.NotFound(ErrorCodes.ResourceNotFound, "Variable definition not found");

    static ApiError ValueNotFound() => ApiError.NotFound(ErrorCodes.ResourceNotFound, "Variable value not found");

    static ApiError SessionScopeOnly() => ApiError.Forbidden(ErrorCodes.SessionTokenNotAllowed,
        "Session tokens can only read and change linked_account-scoped variables of their own linked account");

    // ---- EN1, EN2 ----

    static async Task<Results<Ok<Paginated<VariableDefinitionResponse>>, ApiError>> ListDefinitions(
        HttpRequest request, Caller caller, EnvironmentVariableStore store, CancellationToken ct)
    {
        var page = Page.From(request);
        var scope = Query(request, "scope");
        if (scope is not null && !VariableScopes.IsValid(scope))
            return ApiError.Validation($"'scope' must be one of {string.Join(", ", VariableScopes.All)}");
        var format = Query(request, "var_format");
        if (format is not null && !VariableFormats.IsValid(format))
            return ApiError.Validation($"'var_format' must be one of {string.Join(", ", VariableFormats.All)}");
        var name = EnvironmentVariableInput.NameFilter(Query(request, "name"));
        var names = Query(request, "names")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);

        // A session token sees the definitions its own account can hold values of (EN1, since July 2026).
        if (caller.IsSession)
        {
            if (scope is not null && scope != VariableScopes.LinkedAccount) return TypedResults.Ok(Paginated.Of<VariableDefinitionResponse>([], 0, page));
            scope = VariableScopes.LinkedAccount;
        }
        var rows = await store.DefinitionsAsync(caller.OrgId, scope, format, ct);
        List<VariableDefinitionRow> matching;
        try
        {
            matching = [.. rows.Where(r => (names is null || names.Contains(r.Name)) && (name is null || name.IsMatch(r.Name)))];
        }
        catch (RegexMatchTimeoutException)
        {
            return ApiError.Validation("'name' took too long to match; use a simpler regular expression");
        }
        var docs = matching.Skip(page.Offset).Take(page.Limit).Select(r => r.ToResponse()).ToList();
        return TypedResults.Ok(Paginated.Of(docs, matching.Count, page));
    }

    static async Task<Results<Ok<VariableDefinitionEnvelope>, ApiError>> GetDefinition(
        string id, Caller caller, EnvironmentVariableStore store, CancellationToken ct) =>
        await store.DefinitionAsync(caller.OrgId, id, ct) is { } row
            ? TypedResults.Ok(new VariableDefinitionEnvelope(row.ToResponse()))
            : DefinitionNotFound();

    // ---- definitions: create, change, delete (Patchbay) ----

    static async Task<Results<Created<VariableDefinitionEnvelope>, ApiError>> CreateDefinition(
        HttpContext http, Caller caller, Db db, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var input = EnvironmentVariableInput.ParseDefinition(body.RootElement, update: false);
        var now = time.GetUtcNow();
        var row = new VariableDefinitionRow
        {
            Id = Ids.New(now), OrgId = caller.OrgId, Name = input.Name!, Description = input.Description ?? "", Scope = input.Scope!,
            VarFormat = input.VarFormat ?? VariableFormats.Text, Encrypted = input.Encrypted ?? false, CreatedAt = now, UpdatedAt = now,
        };
        try
        {
            await db.InTransactionAsync(async tx =>
            {
                await EnvironmentVariableStore.InsertDefinitionAsync(tx, row, ct);
                await Audit.AuditLog.RecordAsync(tx, EnvironmentVariableStore.Audited(row, caller.Environment, Audit.AuditEvents.EnvironmentVariableCreated), now, ct);
            }, ct);
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return NameTaken(row);
        }
        return TypedResults.Created($"{Routes.Patchbay}/env/definitions/{row.Id}", new VariableDefinitionEnvelope(row.ToResponse()));
    }

    static ApiError NameTaken(VariableDefinitionRow row) =>
        ApiError.Conflict(ErrorCodes.Conflict, $"A variable definition named {row.Name} already exists at {row.Scope} scope");

    // Name and description change freely. Scope, format and encryption change only while the definition has no
    // values: each of them changes what its stored values mean (where they apply, whether they are valid, whether
    // they are sealed).
    static async Task<Results<Ok<VariableDefinitionEnvelope>, ApiError>> UpdateDefinition(
        string id, HttpContext http, Caller caller, Db db, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var input = EnvironmentVariableInput.ParseDefinition(body.RootElement, update: true);
        var now = time.GetUtcNow();
        try
        {
            return await db.InTransactionAsync<Results<Ok<VariableDefinitionEnvelope>, ApiError>>(async tx =>
            {
                if (await EnvironmentVariableStore.DefinitionAsync(tx, caller.OrgId, id, ct) is not { } current) return DefinitionNotFound();
                var changed = current with
                {
                    Name = input.Name ?? current.Name, Description = input.Description ?? current.Description, Scope = input.Scope ?? current.Scope,
                    VarFormat = input.VarFormat ?? current.VarFormat, Encrypted = input.Encrypted ?? current.Encrypted, UpdatedAt = now,
                };
                var reshaped = changed.Scope != current.Scope || changed.VarFormat != current.VarFormat || changed.Encrypted != current.Encrypted;
                if (reshaped && await EnvironmentVariableStore.ValueCountAsync(tx, id, ct) > 0)
                {
                    return ApiError.Conflict(ErrorCodes.Conflict,
                        $"Variable definition {current.Name} has values; delete them before changing its scope, format or encryption");
                }
                await EnvironmentVariableStore.UpdateDefinitionAsync(tx, changed, ct);
                await Audit.AuditLog.RecordAsync(tx, EnvironmentVariableStore.Audited(changed, caller.Environment, Audit.AuditEvents.EnvironmentVariableUpdated), now, ct);
                return TypedResults.Ok(new VariableDefinitionEnvelope(changed.ToResponse()));
            }, ct);
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return ApiError.Conflict(ErrorCodes.Conflict, $"A variable definition named {input.Name} already exists at that scope");
        }
    }

    static async Task<Results<Ok<EnvDeletedResponse>, ApiError>> DeleteDefinition(
        string id, Caller caller, Db db, TimeProvider time, CancellationToken ct)
    {
        var name = await db.InTransactionAsync(async tx =>
        {
            if (await EnvironmentVariableStore.DefinitionAsync(tx, caller.OrgId, id, ct) is not { } row) return null;
            await EnvironmentVariableStore.DeleteDefinitionAsync(tx, caller.OrgId, id, ct);
            await Audit.AuditLog.RecordAsync(tx, EnvironmentVariableStore.Audited(row, caller.Environment, Audit.AuditEvents.EnvironmentVariableDeleted), time.GetUtcNow(), ct);
            return row.Name;
        }, ct);
        return name is null
            ? DefinitionNotFound()
            : TypedResults.Ok(new EnvDeletedResponse(EnvStatus.Success, $"Variable definition \"{name}\" deleted successfully"));
    }

    static string? Query(HttpRequest request, string name) => request.Query[name].ToString() is { Length: > 0 } v ? v : null;

    // The linked account a linked_account-scoped request is about: a session token's own (naming another is "not
    // found", as if it did not exist), or with the key the one the body names, else the header's or query's.
    static async Task<(LinkedAccountRow? Account, ApiError? Error)> AccountAsync(Caller caller, string? named, LinkedAccountStore accounts, CancellationToken ct)
    {
        string? accountId;
        if (caller.IsSession)
        {
            if (named is not null && named != caller.AccountId) return (null, caller.LinkedAccountNotFound(named));
            accountId = caller.AccountId;
        }
        else
        {
            if (named is not null && caller.LinkedAccountId is { } header && header != named)
                return (null, ApiError.BadRequest(ErrorCodes.InvalidLinkedAccountId, "linked_account_id in the body differs from the linked_account_id header"));
            accountId = named ?? caller.LinkedAccountId;
        }
        if (accountId is null)
            return (null, ApiError.BadRequest(ErrorCodes.MissingLinkedAccountId, "linked_account_id is required for linked_account scope"));
        return await accounts.FindAsync(caller.OrgId, caller.Environment, accountId, ct) is { } account
            ? (account, null)
            : (null, caller.LinkedAccountNotFound(accountId));
    }

    // A workflow-scoped value belongs to the workflow (its draft id), whichever of its ids or alias names it.
    static async Task<(string? WorkflowId, ApiError? Error)> WorkflowAsync(Caller caller, string? named, WorkflowStore workflows, CancellationToken ct)
    {
        if (named is null) return (null, ApiError.BadRequest(ErrorCodes.ServerError, "workflow_id is required for workflow scope"));
        return await workflows.FindAsync(caller.OrgId, caller.Environment, named, ct) is { } workflow
            ? (workflow.DraftId ?? workflow.Id, null)
            : (null, ApiError.NotFound(ErrorCodes.ServerError, "Workflow not found"));
    }
}

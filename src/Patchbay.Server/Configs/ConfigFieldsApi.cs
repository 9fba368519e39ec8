using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.LinkedAccounts;

namespace Patchbay.Configs;

// Config fields (refold-api.md §3.10 FD1–FD5 and the GET variant of FD2): the app named by the `slug` header, the
// config by ?config_id (default: the linked account id), a workflow's own fields by ?workflow_id.
public static class ConfigFieldsApi
{
    internal static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapPublic("Config Fields", "/config").RequireAuthorization(Policies.LinkedAccount).WithFieldTarget();
        api.MapPost("/field", All).WithSummary("All fields and workflows of the app's config, options resolved")
            .Accepts<JsonObject>("application/json").WithDisableFieldOptions();
        api.MapPost("/field/{fieldId}", One).WithSummary("One field with its options (a datasource workflow runs with this payload)")
            .Accepts<JsonObject>("application/json").WithDisableFieldOptions();
        api.MapGet("/field/{fieldId}", OneByGet).WithSummary("One field with its options").WithDisableFieldOptions();
        api.MapPut("/field/{fieldId}", Set).WithSummary("Set a field's value in the config").Accepts<ConfigFieldValueRequest>("application/json")
            .WithDisableFieldOptions();
        api.MapDelete("/field/{fieldId}", Clear).WithSummary("Clear a field's value (back to its default)").WithDisableFieldOptions();
        api.MapPost("/rule-engine/{fieldId}", Rule).WithSummary("The right-hand side and operators of a rule-engine field's column")
            .Accepts<RuleEngineRequest>("application/json");
    }

    // The request's app, config and account, or the error that stops it.
    sealed record Target(LinkedAccountRow Account, string Slug, string ConfigId, string? WorkflowId);

    static async Task<(Target? Target, ApiError? Error)> TargetAsync(HttpRequest request, Caller caller, LinkedAccountStore accounts, CancellationToken ct)
    {
        var slug = request.Headers[ConfigApiDocs.SlugHeader].ToString().Trim();
        if (slug.Length == 0) return (null, ApiError.BadRequest(ErrorCodes.MissingRequiredField, "The slug header is required"));
        Limits.Check(slug, "slug", Limits.Identifier);
        if (await accounts.ForCallerAsync(caller, ct) is not { } account) return (null, caller.LinkedAccountNotFound(caller.AccountId));
        var configId = ConfigInput.ConfigIdFrom(request.Query[ConfigApiDocs.ConfigIdQuery], ConfigApiDocs.ConfigIdQuery) ?? account.AccountId;
        var workflowId = request.Query[ConfigApiDocs.WorkflowIdQuery].ToString() is { Length: > 0 } w ? Limits.Check(w, ConfigApiDocs.WorkflowIdQuery, Limits.Identifier) : null;
        return (new Target(account, slug, configId, workflowId), null);
    }

    // A field by id: the app's, or a workflow's own (the named one, else the first workflow that has it).
    static (FieldDefinition Field, string Scope)? Find(ConfigModel model, string fieldId, string? workflowId)
    {
        if (model.Find(fieldId, workflowId) is { } found) return found;
        if (workflowId is not null) return null;
        return model.Workflows.Where(w => w.Fields.Any(f => f.Id == fieldId)).Select(w => model.Find(fieldId, w.Id)).FirstOrDefault();
    }

    // ---- FD1 ----

    static async Task<Results<Ok<ConfigResponse>, ApiError>> All(HttpContext http, Caller caller, LinkedAccountStore accounts, ConfigStore store,
        ConfigWriter writer, ConfigViews views, CancellationToken ct)
    {
        var payload = await JsonBody.ReadNodeAsync(http, required: false);
        var (target, error) = await TargetAsync(http.Request, caller, accounts, ct);
        if (target is null) return error!;
        if (await writer.CheckAppAsync(caller.OrgId, caller.Environment, target.Slug, ct) is { } noApp) return noApp;
        var snapshot = await store.LoadAsync(caller.OrgId, caller.Environment, target.Account.Id, target.Slug, target.ConfigId, ct);
        return TypedResults.Ok(await views.ConfigAsync(ConfigModel.From(snapshot), target.Account, target.Slug, target.ConfigId,
            OptionMode.From(http.Request, payload), ct));
    }

    // ---- FD2 ----

    static async Task<Results<Ok<ConfigFieldResponse>, ApiError>> One(string fieldId, HttpContext http, Caller caller, LinkedAccountStore accounts,
        ConfigStore store, ConfigViews views, CancellationToken ct) =>
        await OneAsync(fieldId, http.Request, await JsonBody.ReadNodeAsync(http, required: false), caller, accounts, store, views, ct);

    static Task<Results<Ok<ConfigFieldResponse>, ApiError>> OneByGet(string fieldId, HttpRequest request, Caller caller, LinkedAccountStore accounts,
        ConfigStore store, ConfigViews views, CancellationToken ct) =>
        OneAsync(fieldId, request, [], caller, accounts, store, views, ct);

    static async Task<Results<Ok<ConfigFieldResponse>, ApiError>> OneAsync(string fieldId, HttpRequest request, JsonObject payload, Caller caller,
        LinkedAccountStore accounts, ConfigStore store, ConfigViews views, CancellationToken ct)
    {
        var (target, error) = await TargetAsync(request, caller, accounts, ct);
        if (target is null) return error!;
        var model = ConfigModel.From(await store.LoadAsync(caller.OrgId, caller.Environment, target.Account.Id, target.Slug, target.ConfigId, ct));
        if (Find(model, fieldId, target.WorkflowId) is not var (field, scope)) return ConfigWriter.FieldNotFound(fieldId);
        var errors = new List<FieldError>();
        var view = await views.FieldAsync(model, target.Account, target.ConfigId, scope, field, OptionMode.From(request, payload), errors, ct);
        return TypedResults.Ok(view with { FieldErrors = errors.Count == 0 ? null : errors });
    }

    // ---- FD3, FD4 ----

    static async Task<Results<Ok<ConfigFieldResponse>, ApiError>> Set(string fieldId, HttpContext http, Caller caller, LinkedAccountStore accounts,
        ConfigStore store, ConfigWriter writer, ConfigViews views, Db db, TimeProvider time, CancellationToken ct)
    {
        var value = ConfigInput.FieldValue(await JsonBody.ReadNodeAsync(http), out var present);
        if (!present) return ApiError.Validation("'value' is required (null clears the field)");
        return await ChangeAsync(fieldId, http.Request, value, caller, accounts, store, writer, views, db, time, ct);
    }

    static Task<Results<Ok<ConfigFieldResponse>, ApiError>> Clear(string fieldId, HttpRequest request, Caller caller, LinkedAccountStore accounts,
        ConfigStore store, ConfigWriter writer, ConfigViews views, Db db, TimeProvider time, CancellationToken ct) =>
        ChangeAsync(fieldId, request, null, caller, accounts, store, writer, views, db, time, ct, clearing: true);

    static async Task<Results<Ok<ConfigFieldResponse>, ApiError>> ChangeAsync(string fieldId, HttpRequest request, JsonNode? value, Caller caller,
        LinkedAccountStore accounts, ConfigStore store, ConfigWriter writer, ConfigViews views, Db db, TimeProvider time, CancellationToken ct,
        bool clearing = false)
    {
        var (target, error) = await TargetAsync(request, caller, accounts, ct);
        if (target is null) return error!;
        var account = target.Account;
        // Read and checked outside the write transaction (which only re-checks that the config still exists), so the
        // single writer of SQLite is held for the two writes alone.
        var model = ConfigModel.From(await store.LoadAsync(account.OrgId, account.Environment, account.Id, target.Slug, target.ConfigId, ct));
        if (model.Config is not { } config) return ConfigWriter.ConfigNotFound(target.ConfigId);
        if (Find(model, fieldId, target.WorkflowId) is not var (field, scope)) return ConfigWriter.FieldNotFound(fieldId);
        // Clearing goes back to the default, even for a required field; setting null on a required one is refused.
        var stored = clearing ? null : ConfigWriter.Check(model, field, value);
        var now = time.GetUtcNow();
        var written = await db.InTransactionAsync(async tx =>
        {
            if (await ConfigStore.FindAsync(tx, account.Id, target.Slug, target.ConfigId, ct) is null) return (false, (ConfigValueRow?)null);
            var row = await writer.WriteAsync(tx, config.Id, scope, field, stored, now, ct);
            await ConfigStore.TouchAsync(tx, config.Id, config.Labels, now, ct);
            await writer.AnnounceAsync(tx, ConfigTopics.Updated, account, target.Slug, target.ConfigId, now, ct);
            return (true, row);
        }, ct);
        if (!written.Item1) return ConfigWriter.ConfigNotFound(target.ConfigId);
        var after = model.WithValue(scope, field.Id, written.Item2 ?? (stored is null ? null : model.Stored(scope, field.Id)));
        return TypedResults.Ok(await views.FieldAsync(after, account, target.ConfigId, scope, field,
            OptionMode.From(request) with { RunDatasources = false }, [], ct));
    }

    // ---- FD5 ----

    static async Task<Results<Ok<RuleEngineResponse>, ApiError>> Rule(string fieldId, HttpContext http, Caller caller, LinkedAccountStore accounts,
        ConfigStore store, CancellationToken ct)
    {
        var lhs = ConfigInput.RuleColumnLhs(await JsonBody.ReadNodeAsync(http));
        var (target, error) = await TargetAsync(http.Request, caller, accounts, ct);
        if (target is null) return error!;
        var model = ConfigModel.From(await store.LoadAsync(caller.OrgId, caller.Environment, target.Account.Id, target.Slug, target.ConfigId, ct));
        if (Find(model, fieldId, target.WorkflowId) is not var (field, _)) return ConfigWriter.FieldNotFound(fieldId);
        if (field.FieldType != FieldTypes.RuleEngine || field.RuleColumns is not { Count: > 0 } columns)
            return ApiError.BadRequest(ErrorCodes.ServerError, $"Field with id {fieldId} is not of type rule engine or has undefined columns");
        if (columns.FirstOrDefault(c => c.Value == lhs) is not { } column)
            return ApiError.Validation($"'{lhs}' is not one of the columns of field {fieldId}");
        var operators = RuleColumnTypes.OperatorsFor(column.Type).Select(o => new FieldOption(o.Replace('_', ' '), o)).ToList();
        return TypedResults.Ok(new RuleEngineResponse(
            new RuleEngineColumn(new RuleEngineSide("RHS", column.Type, column.Options ?? []), new RuleEngineSide("Operator", RuleColumnTypes.Select, operators)), []));
    }
}

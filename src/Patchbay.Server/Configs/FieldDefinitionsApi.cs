using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.Workflows;

namespace Patchbay.Configs;

// Patchbay's management API for app-level config fields (Refold defines them in its dashboard): the org's developers
// manage them with the org API key. Workflow-level fields are declared in the workflow (settings.data_slots).
public static class FieldDefinitionsApi
{
    const int MaxFields = 200;

    internal static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Routes.Patchbay + "/apps/{slug}/config-fields").WithTags("Config field definitions").RequireAuthorization(Policies.Org);
        api.MapGet("", List).WithSummary("The app's config fields, in order");
        api.MapPost("", Create).WithSummary("Add a config field to the app").Accepts<FieldDefinitionRequest>("application/json");
        api.MapPut("/{fieldId}", Update).WithSummary("Replace a config field's definition").Accepts<FieldDefinitionRequest>("application/json");
        api.MapDelete("/{fieldId}", Delete).WithSummary("Remove a config field (and its values in every config)");
    }

    static async Task<Results<Ok<List<FieldDefinition>>, ApiError>> List(string slug, Caller caller, ConfigStore store, ConfigWriter writer, CancellationToken ct)
    {
        if (await writer.CheckAppAsync(caller.OrgId, caller.Environment, slug, ct) is { } noApp) return noApp;
        return TypedResults.Ok((await store.DefinitionsAsync(caller.OrgId, caller.Environment, slug, ct)).Select(d => FieldDefinition.Deserialize(d.Definition)).ToList());
    }

    static async Task<Results<Created<FieldDefinition>, ApiError>> Create(string slug, HttpContext http, Caller caller, ConfigWriter writer,
        WorkflowStore workflows, Db db, TimeProvider time, CancellationToken ct)
    {
        var body = await JsonBody.ReadNodeAsync(http);
        if (await writer.CheckAppAsync(caller.OrgId, caller.Environment, slug, ct) is { } noApp) return noApp;
        var now = time.GetUtcNow();
        var field = FieldDefinitionInput.Parse(body, "body", Ids.New(now));
        if (await CheckDataSourceAsync(field, caller, workflows, ct) is { } bad) return bad;
        var error = await db.InTransactionAsync(async tx =>
        {
            var existing = await ConfigStore.DefinitionsAsync(tx, caller.OrgId, caller.Environment, slug, ct);
            if (existing.Count >= MaxFields) return ApiError.Validation($"An app has at most {MaxFields} config fields");
            if (CheckParent(field, existing) is { } parentError) return parentError;
            await ConfigStore.InsertDefinitionAsync(tx, caller.OrgId, caller.Environment, slug, field, now, ct);
            return null;
        }, ct);
        if (error is not null) return error;
        return TypedResults.Created($"{Routes.Patchbay}/apps/{slug}/config-fields/{field.Id}", field);
    }

    static async Task<Results<Ok<FieldDefinition>, ApiError>> Update(string slug, string fieldId, HttpContext http, Caller caller, ConfigWriter writer,
        WorkflowStore workflows, Db db, TimeProvider time, CancellationToken ct)
    {
        var body = await JsonBody.ReadNodeAsync(http);
        var field = FieldDefinitionInput.Parse(body, "body", fieldId);
        if (await CheckDataSourceAsync(field, caller, workflows, ct) is { } bad) return bad;
        var error = await db.InTransactionAsync(async tx =>
        {
            var existing = await ConfigStore.DefinitionsAsync(tx, caller.OrgId, caller.Environment, slug, ct);
            if (existing.All(d => d.Id != fieldId)) return NotFound(fieldId);
            if (CheckParent(field, existing) is { } parentError) return parentError;
            await ConfigStore.UpdateDefinitionAsync(tx, caller.OrgId, caller.Environment, slug, field, time.GetUtcNow(), ct);
            return null;
        }, ct);
        return error is null ? TypedResults.Ok(field) : error;
    }

    static async Task<Results<Ok<MessageResponse>, ApiError>> Delete(string slug, string fieldId, Caller caller, Db db, CancellationToken ct)
    {
        var deleted = await db.InTransactionAsync(tx => ConfigStore.DeleteDefinitionAsync(tx, caller.OrgId, caller.Environment, slug, fieldId, ct), ct);
        return deleted > 0 ? TypedResults.Ok(new MessageResponse("Config field deleted")) : NotFound(fieldId);
    }

    static ApiError NotFound(string fieldId) => ApiError.NotFound(ErrorCodes.ResourceNotFound, $"Field with id {fieldId} not found");

    // A datasource is one of the org's public workflows.
    static async Task<ApiError?> CheckDataSourceAsync(FieldDefinition field, Caller caller, WorkflowStore workflows, CancellationToken ct)
    {
        if (field.DataSource is not { } source) return null;
        var workflow = await workflows.FindAsync(caller.OrgId, caller.Environment, source.WorkflowId, ct);
        return workflow is null || workflow.IsPrivate
            ? ApiError.Validation($"'data_source.workflow_id': {source.WorkflowId} is not a public workflow of this organization")
            : null;
    }

    // A parent is another field of the same app.
    static ApiError? CheckParent(FieldDefinition field, IReadOnlyList<FieldDefinitionRow> existing) =>
        field.Parent is { } parent && (parent == field.Id || existing.All(d => d.Id != parent))
            ? ApiError.Validation($"'parent': {parent} is not another field of this app")
            : null;

}

using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Apps;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.LinkedAccounts;
using Patchbay.Sandbox;
using Patchbay.Workflows.Engine;

namespace Patchbay.Workflows;

// Workflows (refold-api.md §3.11 WF1–WF7, WF11, WF12; WF10 and the CF8 toggle belong to configs).
public static class WorkflowsApi
{
    public static void MapWorkflows(this IEndpointRouteBuilder app)
    {
        var api = app.MapPublic("Workflows", "/workflow").RequireAuthorization(Policies.OrgOrSession).WithOptionalLinkedAccount();
        api.MapGet("", List).WithSummary("List workflows").WithPaging()
            .WithQuery("scope", "`private`: only the linked account's private workflows.")
            .WithQuery("published", "Only published (true) or unpublished (false) workflows.", ApiParameterType.Flag)
            .WithQuery("slug", "Only workflows of this app.").WithQuery("application_id", "Alias of slug.")
            .WithQuery("name", "Only workflows whose name contains this.")
            .WithQuery("start_date", "Created on or after (YYYY-MM-DD or an ISO 8601 instant).")
            .WithQuery("end_date", "Created on or before (YYYY-MM-DD or an ISO 8601 instant).");
        api.MapPost("", Create).WithSummary("Create a workflow").Accepts<CreateWorkflowRequest>("application/json");
        api.MapGet("/request-structure/{workflowId}", RequestStructure).WithSummary("Get the payload fields a workflow's trigger expects");
        api.MapGet("/versions/{workflowId}", Versions).WithSummary("List a workflow's published versions").WithPaging();
        api.MapGet("/{workflowId}", Get).WithSummary("Get a workflow");
        api.MapPut("/{workflowId}", Update).WithSummary("Update a workflow's draft").Accepts<UpdateWorkflowRequest>("application/json");
        api.MapDelete("/{workflowId}", Delete).WithSummary("Delete a workflow");
        api.MapGet("/{workflowId}/edit", Edit).WithSummary("Get a workflow's editable draft");
        api.MapPut("/{workflowId}/publish", Publish).WithSummary("Publish or unpublish a workflow").Accepts<PublishWorkflowRequest>("application/json");
    }

    // ---- shared checks ----

    static ApiError NotFound() => ApiError.NotFound(ErrorCodes.ServerError, "Workflow not found");

    // A workflow the caller may see: its org's, and when private, only by its own account (or the org key).
    static async Task<(WorkflowRow? Workflow, ApiError? Error)> VisibleAsync(string id, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, CancellationToken ct) =>
        await workflows.FindAsync(caller.OrgId, caller.Environment, id, ct) is { } workflow
            ? await CheckVisibleAsync(workflow, caller, accounts, ct)
            : (null, NotFound());

    static async Task<(WorkflowRow? Workflow, ApiError? Error)> CheckVisibleAsync(WorkflowRow workflow, Caller caller, LinkedAccountStore accounts, CancellationToken ct)
    {
        if (workflow.IsPrivate && caller.LinkedAccountId is { } accountId)
        {
            var account = await accounts.FindAsync(caller.OrgId, caller.Environment, accountId, ct);
            if (account?.Id != workflow.LinkedAccountRowId)
                return (null, ApiError.Forbidden(ErrorCodes.ServerError, "Workflow is private to another linked account"));
        }
        return (workflow, null);
    }

    // Writing a public (org-level) workflow is the org's business: its key, never an end user's session.
    static ApiError? NotWritable(WorkflowRow workflow, Caller caller) =>
        !workflow.IsPrivate && caller.IsSession
            ? ApiError.Forbidden(ErrorCodes.SessionTokenNotAllowed, "Session tokens cannot change the organization's public workflows")
            : null;

    // The caller's linked account row (null for the org key alone), or the error when the account does not exist.
    static async Task<(string? RowId, ApiError? Error)> CallerAccountRowAsync(Caller caller, LinkedAccountStore accounts, CancellationToken ct)
    {
        if (caller.LinkedAccountId is not { } id) return (null, null);
        return await accounts.FindAsync(caller.OrgId, caller.Environment, id, ct) is { } account
            ? (account.Id, null)
            : (null, caller.LinkedAccountNotFound(id));
    }

    // ---- WF1, WF2 ----

    static async Task<Results<Ok<Paginated<WorkflowResponse>>, ApiError>> List(
        HttpRequest request, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, CancellationToken ct)
    {
        var page = Page.From(request);
        var filter = WorkflowInput.ListFilter(request.Query);
        var (accountRowId, error) = await CallerAccountRowAsync(caller, accounts, ct);
        if (error is not null) return error;
        if (filter.PrivateOnly && accountRowId is null) return ApiError.BadRequest(ErrorCodes.MissingLinkedAccountId, "scope=private needs a linked account");
        var (rows, total) = await workflows.ListAsync(caller.OrgId, caller.Environment, accountRowId, filter.PrivateOnly, filter.Slug, filter.Name, filter.Published,
            filter.From, filter.To, page.Number, page.Limit, ct);
        return TypedResults.Ok(Paginated.Of(rows.Select(WorkflowResponse.From).ToList(), total, page, schema: []));
    }

    // An org key alone creates a public (org-level) workflow; with a linked account (or a session) a private one.
    static async Task<Results<Ok<WorkflowCreated>, ApiError>> Create(
        HttpContext http, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, AppCatalog catalog, IEnumerable<IWorkflowSettingsCheck> checks,
        TimeProvider time, CancellationToken ct)
    {
        var input = WorkflowInput.Parse(await JsonBody.ReadNodeAsync(http));
        if (string.IsNullOrWhiteSpace(input.Name)) return ApiError.Validation("'name' is required");
        var slug = input.Slug ?? WorkflowInput.CustomSlug;
        if (slug != WorkflowInput.CustomSlug && catalog.Find(slug) is null) return ApiError.Validation($"Application with slug {slug} not found");
        var (accountRowId, error) = await CallerAccountRowAsync(caller, accounts, ct);
        if (error is not null) return error;
        var now = time.GetUtcNow();
        var row = input.ApplyTo(new WorkflowRow
        {
            Id = Ids.New(now), OrgId = caller.OrgId, Environment = caller.Environment, LinkedAccountRowId = accountRowId, Slug = slug,
            Name = input.Name.Trim(), Definition = "{}", CreatedAt = now, UpdatedAt = now,
        });
        if (SettingsError(row, checks) is { } invalid) return invalid;
        return await workflows.CreateAsync(row, ct) ? TypedResults.Ok(new WorkflowCreated(WorkflowResponse.From(row))) : AliasTaken(row);
    }

    static ApiError? SettingsError(WorkflowRow row, IEnumerable<IWorkflowSettingsCheck> checks)
    {
        if (JsonNode.Parse(row.Definition)?["settings"] is not JsonObject settings) return null;
        return checks.Select(c => c.Check(settings)).FirstOrDefault(e => e is not null) is { } error ? ApiError.Validation(error) : null;
    }

    // Aliases are unique per org and environment: a taken one is the client's mistake, not a server error.
    static ApiError AliasTaken(WorkflowRow row) => ApiError.Validation($"The alias '{row.Alias}' is already used by another workflow");

    // ---- WF3–WF7 ----

    static async Task<Results<Ok<WorkflowResponse>, ApiError>> Get(
        string workflowId, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, CancellationToken ct)
    {
        var (workflow, error) = await VisibleAsync(workflowId, caller, workflows, accounts, ct);
        return workflow is null ? error! : TypedResults.Ok(WorkflowResponse.From(workflow));
    }

    static async Task<Results<Ok<WorkflowResponse>, ApiError>> Update(
        string workflowId, HttpContext http, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, IEnumerable<IWorkflowSettingsCheck> checks,
        TimeProvider time, CancellationToken ct)
    {
        var (workflow, error) = await VisibleAsync(workflowId, caller, workflows, accounts, ct);
        if (workflow is null) return error!;
        if (NotWritable(workflow, caller) is { } forbidden) return forbidden;
        if (workflow.IsVersion) return ApiError.BadRequest(ErrorCodes.ServerError, $"Workflow is a version workflow; edit its draft {workflow.DraftId}");
        var updated = WorkflowInput.Parse(await JsonBody.ReadNodeAsync(http)).ApplyTo(workflow) with { UpdatedAt = time.GetUtcNow() };
        if (SettingsError(updated, checks) is { } invalid) return invalid;
        return await workflows.UpdateDraftAsync(updated, ct) ? TypedResults.Ok(WorkflowResponse.From(updated)) : AliasTaken(updated);
    }

    static async Task<Results<Ok<WorkflowDeleted>, ApiError>> Delete(
        string workflowId, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, TimeProvider time, CancellationToken ct)
    {
        var (workflow, error) = await VisibleAsync(workflowId, caller, workflows, accounts, ct);
        if (workflow is null) return error!;
        if (NotWritable(workflow, caller) is { } forbidden) return forbidden;
        if (workflow.IsVersion) return ApiError.BadRequest(ErrorCodes.ServerError, "Workflow is a version workflow.");
        await workflows.DeleteAsync(workflow, time.GetUtcNow(), ct);
        return TypedResults.Ok(new WorkflowDeleted(true, true, "Workflow deleted successfully", true));
    }

    static async Task<Results<Ok<WorkflowResponse>, ApiError>> Edit(
        string workflowId, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, CancellationToken ct)
    {
        var (workflow, error) = await VisibleAsync(workflowId, caller, workflows, accounts, ct);
        if (workflow is null) return error!;
        if (workflow.DraftId is { } draftId) workflow = await workflows.GetAsync(caller.OrgId, caller.Environment, draftId, ct);
        return workflow is null ? NotFound() : TypedResults.Ok(WorkflowResponse.From(workflow));
    }

    static async Task<Results<Ok<WorkflowResponse>, ApiError>> Publish(
        string workflowId, HttpContext http, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        if (Json.StrictBool(body.RootElement, "published") is not { } publish) return ApiError.Validation("'published' (true or false) is required");
        var found = await workflows.FindAsync(caller.OrgId, caller.Environment, workflowId, ct);
        if (found is null) return ApiError.NotFound("INVALID_WORKFLOW_ID", "No workflow found with the provided ID.");
        var (workflow, error) = await CheckVisibleAsync(found, caller, accounts, ct);
        if (workflow is null) return error!;
        if (NotWritable(workflow, caller) is { } forbidden) return forbidden;
        var now = time.GetUtcNow();
        if (publish)
        {
            if (workflow.IsVersion) return ApiError.BadRequest("INVALID_WORKFLOW_ID", $"Publish the draft {workflow.DraftId}, not a version");
            return TypedResults.Ok(WorkflowResponse.From(await workflows.PublishAsync(workflow, Ids.New(now), now, ct)));
        }
        if (!workflow.IsVersion || !workflow.Published) return ApiError.BadRequest("INVALID_WORKFLOW_ID", "Only public and published workflows can be unpublished");
        await workflows.UnpublishAsync(workflow, now, ct);
        return TypedResults.Ok(WorkflowResponse.From(workflow with { Published = false, UpdatedAt = now }));
    }

    // ---- WF11, WF12 ----

    static async Task<Results<Ok<RequestStructureResponse>, ApiError>> RequestStructure(
        string workflowId, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, CancellationToken ct)
    {
        var (workflow, error) = await VisibleAsync(workflowId, caller, workflows, accounts, ct);
        if (workflow is null) return error!;
        var definition = JsonNode.Parse(workflow.Definition)!;
        var start = ((JsonArray)definition["nodes"]!).First(n => WorkflowDefinition.Text(n!["type"]) == NodeTypes.Start)!;
        var schema = (definition["settings"] as JsonObject)?["json_schema"] as JsonObject;
        Dictionary<string, string>? interpreted = null;
        if (schema?["properties"] is JsonObject properties)
        {
            var required = (schema["required"] as JsonArray)?.Select(r => r?.ToJsonString().Trim('"')).ToHashSet() ?? [];
            interpreted = [];
            foreach (var (name, property) in properties)
                interpreted[name] = $"{WorkflowDefinition.Text((property as JsonObject)?["type"]) ?? "any"}{(required.Contains(name) ? " (required)" : "")}";
        }
        return TypedResults.Ok(new RequestStructureResponse(start["data"]?["sample_payload"]?.DeepClone(), schema?.DeepClone(), interpreted));
    }

    static async Task<Results<Ok<Paginated<WorkflowVersionResponse>>, ApiError>> Versions(
        string workflowId, HttpRequest request, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, CancellationToken ct)
    {
        var (workflow, error) = await VisibleAsync(workflowId, caller, workflows, accounts, ct);
        if (workflow is null) return error!;
        var page = Page.From(request);
        var (rows, total) = await workflows.VersionsAsync(workflow.DraftId ?? workflow.Id, page.Number, page.Limit, ct);
        var docs = rows.Select(v => new WorkflowVersionResponse(v.Version, v.Id, v.Published, v.CreatedAt)).ToList();
        return TypedResults.Ok(Paginated.Of(docs, total, page, schema: []));
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Apps;
using Patchbay.Auth;
using Patchbay.Http;
using Patchbay.LinkedAccounts;
using Patchbay.Workflows;
using Patchbay.Workflows.Engine;

namespace Patchbay.Executions;

// Executions (refold-api.md §3.12 EX1–EX7): list, read node by node, stop, rerun, read the response.
public static class ExecutionsApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Routes.Public).WithTags("Executions").RequireAuthorization(Policies.OrgOrSession).WithOptionalLinkedAccount();
        api.MapGet("/execution", List).WithSummary("List executions").WithPaging()
            .WithQuery("status", "All, or one execution status.")
            .WithQuery("slug", "Comma-separated app slugs.")
            .WithQuery("workflow_name", "Only executions of workflows with this name.")
            .WithQuery("workflow_id", "Only executions of this workflow.")
            .WithQuery("execution_id", "Only this execution.")
            .WithQuery("start_date", "Started on or after (YYYY-MM-DD or an ISO 8601 instant).")
            .WithQuery("end_date", "Started on or before (YYYY-MM-DD or an ISO 8601 instant).")
            .WithQuery("execution_type", "All, SYNC or ASYNC.")
            .WithQuery("execution_source", "All, Event, Schedule or API Call.")
            .WithQuery("sortAsc", "true: oldest first.", ApiParameterType.Flag);
        api.MapGet("/executions", LegacyList).WithSummary("List executions (2023 shape)").WithPaging();
        api.MapGet("/execution/{executionId}", Get).WithSummary("Get an execution with its nodes");
        api.MapGet("/execution/{executionId}/nodes/{nodeId}/batches", Batches).WithSummary("Get a node's batches (501: not implemented)")
            .Produces<ApiErrorBody>(501, "application/json");
        api.MapPost("/execution/{instanceId}/stop", Stop).WithSummary("Stop a running execution").WithoutBody();
        api.MapPost("/execution/{instanceId}/rerun", Rerun).WithSummary("Run an execution again with its payload").WithoutBody();
        var v1 = app.MapGroup("/api/v1").WithTags("Executions").RequireAuthorization(Policies.OrgOrSession).WithOptionalLinkedAccount();
        v1.MapGet("/execution/{executionId}/response", Response).WithSummary("Get an execution's response and status");
    }

    static ApiError NotFound() => ApiError.NotFound(ErrorCodes.ResourceNotFound, "Execution not found");

    static ExecutionSummary Summary(ExecutionRow e, AppCatalog catalog) => new()
    {
        Id = e.Id, Name = e.Name, OrgId = e.OrgId, Environment = e.Environment, Status = e.Status,
        AssociatedApplication = new AssociatedRef(e.Slug, catalog.Find(e.Slug)?.Name ?? (e.Slug == "custom" ? "Custom" : e.Slug), ""),
        AssociatedWorkflow = new AssociatedRef(e.WorkflowDraftId, e.WorkflowName, ""),
        WorkflowVersionId = e.WorkflowId, TriggerApplicationEvent = e.Source, LinkedAccountId = e.AccountId, ConfigId = e.ConfigId,
        TypeOfExecution = e.Type, IsChildInstance = e.ParentExecutionId is not null, CreatedAt = e.CreatedAt, UpdatedAt = e.UpdatedAt,
        InstanceTag = e.InstanceTag, ParentExecutionId = e.ParentExecutionId,
        CompletionTime = e.CompletedAt, InstanceExecutionTime = e.CompletedAt is { } done ? (done - e.CreatedAt).TotalMilliseconds : null,
    };

    // Who may see an execution: its org, and with a linked account (or a session) only that account's.
    static async Task<ExecutionRow?> VisibleAsync(string id, Caller caller, ExecutionStore executions, CancellationToken ct)
    {
        var execution = await executions.GetAsync(id, ct);
        if (execution is null || execution.OrgId != caller.OrgId || execution.Environment != caller.Environment) return null;
        if (caller.LinkedAccountId is { } accountId && execution.AccountId != accountId) return null;
        return execution;
    }

    static async Task<Results<Ok<Paginated<ExecutionSummary>>, ApiError>> List(
        HttpRequest request, Caller caller, ExecutionStore executions, AppCatalog catalog, CancellationToken ct)
    {
        var page = Page.From(request);
        var (rows, total) = await executions.ListAsync(ExecutionInput.Filter(request.Query, caller), page, ct);
        return TypedResults.Ok(Paginated.Of(rows.Select(r => Summary(r, catalog)).ToList(), total, page));
    }

    // EX7, 2023: a plainer list.
    static async Task<Results<Ok<Paginated<LegacyExecutionResponse>>, ApiError>> LegacyList(
        HttpRequest request, Caller caller, ExecutionStore executions, CancellationToken ct)
    {
        var page = Page.From(request);
        var filter = new ExecutionFilter(caller.OrgId, caller.Environment) { AccountId = caller.LinkedAccountId };
        var (rows, total) = await executions.ListAsync(filter, page, ct);
        var docs = rows.Select(r => new LegacyExecutionResponse(r.Id, r.CreatedAt, r.Environment, r.AccountId, r.OrgId, r.Status)).ToList();
        return TypedResults.Ok(Paginated.Of(docs, total, page));
    }

    static async Task<Results<Ok<ExecutionResponse>, ApiError>> Get(string executionId, Caller caller, ExecutionStore executions, AppCatalog catalog,
        PublicUrls urls, WebhookIds webhookIds, HttpRequest request, CancellationToken ct)
    {
        if (await VisibleAsync(executionId, caller, executions, ct) is not { } e) return NotFound();
        var nodes = new List<ExecutionNodeResponse>();
        foreach (var r in await executions.NodeRunsAsync(e.Id, ct))
        {
            nodes.Add(new NodeRunResponse(r.NodeId, r.NodeName, r.NodeType, r.Status, r.Attempts, r.MaxAttempts, r.ExecutionMs,
                r.Input is null ? null : JsonNode.Parse(r.Input), r.Output is null ? null : JsonNode.Parse(r.Output), r.StartedAt, r.FinishedAt, r.Error));
        }
        // The node it is on now: waiting (a delay, a webhook, a child execution, a human task) or about to run.
        if (!ExecutionStatus.IsFinal(e.Status) && e.CurrentNode is { } current)
        {
            var state = ExecutionState.Deserialize(e.State);
            var waiting = state.Waiting is { } w && w.Node == current ? w : null;
            var taskId = waiting is { Kind: WaitKinds.HumanTask, Ref: { } taskRef } ? webhookIds.Id(taskRef) : null;
            var output = new CurrentNodeOutput(current,
                WebhookUrl: waiting is { Kind: WaitKinds.Webhook, Ref: { } waitId } ? $"{urls.Base(request)}/api/v1/workflows/webhooks/{webhookIds.Id(waitId)}" : null,
                ChildExecutionId: waiting is { Kind: WaitKinds.Child, Ref: { } childId } ? childId : null,
                Until: waiting?.Until)
            {
                HumanTaskId = taskId, Url = taskId is null ? null : HumanTasks.HumanTasksApi.PageUrl(urls.Base(request), taskId),
            };
            nodes.Add(new CurrentNodeResponse(current, waiting is null ? NodeStatus.Ready : NodeStatus.Waiting, state.Failures, output));
        }
        var percentage = e.Status == ExecutionStatus.Completed ? 100 : e.NodesTotal == 0 ? 0 : Math.Min(99, e.NodesDone * 100 / e.NodesTotal);
        return TypedResults.Ok(new ExecutionResponse(Summary(e, catalog), nodes, percentage, JsonNode.Parse(e.Payload))
        {
            ReturnValue = e.ReturnValue is null ? null : JsonElement.Parse(e.ReturnValue), ReturnStatus = e.ReturnStatus, Error = e.Error,
        });
    }

    static async Task<ApiError> Batches(string executionId, string nodeId, Caller caller, ExecutionStore executions, CancellationToken ct)
    {
        if (await VisibleAsync(executionId, caller, executions, ct) is null) return NotFound();
        _ = nodeId;
        return ApiError.Create(501, ErrorCodes.ServerError, "Batch details are not yet available for this execution type");
    }

    static async Task<Results<Ok<MessageResponse>, ApiError>> Stop(
        string instanceId, Caller caller, ExecutionStore executions, ExecutionWorker worker, TimeProvider time, CancellationToken ct)
    {
        if (await VisibleAsync(instanceId, caller, executions, ct) is not { } e) return NotFound();
        if (!await executions.StopAsync(e.Id, time.GetUtcNow(), ct))
            return ApiError.Validation($"Execution {e.Id} is not running ({(await executions.GetAsync(e.Id, ct))?.Status ?? e.Status})");
        worker.Wake();
        return TypedResults.Ok(new MessageResponse("Stopping instance"));
    }

    static async Task<Results<Ok<RerunExecutionResponse>, ApiError>> Rerun(string instanceId, Caller caller, ExecutionStore executions,
        LinkedAccountStore accounts, ExecutionService service, WorkflowStore workflows, CancellationToken ct)
    {
        if (await VisibleAsync(instanceId, caller, executions, ct) is not { } e) return NotFound();
        if (await workflows.GetAsync(e.OrgId, e.Environment, e.WorkflowId, ct) is not { } version)
            return ApiError.Validation("The workflow of this execution no longer exists");
        if (await accounts.FindAsync(e.OrgId, e.Environment, e.AccountId, ct) is not { } account) return NotFound();
        var row = await service.StartAsync(version, account, e.ConfigId, JsonNode.Parse(e.Payload)!, false, e.Source, e.InstanceTag, ct,
            name: $"Retry for workflow {e.WorkflowDraftId}");
        return TypedResults.Ok(new RerunExecutionResponse("success", row.Id));
    }

    static async Task<Results<Ok<ExecutionResultResponse>, ApiError>> Response(string executionId, Caller caller, ExecutionStore executions, CancellationToken ct)
    {
        if (await VisibleAsync(executionId, caller, executions, ct) is not { } e) return NotFound();
        return TypedResults.Ok(new ExecutionResultResponse(e.ReturnValue is null ? null : JsonNode.Parse(e.ReturnValue), e.Status));
    }
}

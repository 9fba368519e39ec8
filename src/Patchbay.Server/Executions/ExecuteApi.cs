using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Http;
using Patchbay.LinkedAccounts;
using Patchbay.Workflows;

namespace Patchbay.Executions;

// Running a workflow: execute by id or alias (WF8 v2, WF9 v1), and the inbound webhook that resumes an execution
// parked on a "wait for webhook" node.
public static class ExecuteApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(Routes.Public + "/workflow/{workflowId}/execute", ExecuteV2).RequireAuthorization(Policies.LinkedAccount).WithTags("Workflows")
            .WithSummary("Execute a workflow").Accepts<JsonObject>("application/json")
            .WithAlternativeResponse<SyncExecutionV2>(200)
            .WithHeader("slug", required: true, "The workflow's app slug.")
            .WithHeader("config_id", required: false, "The config to run in (default: the linked account's id).")
            .WithHeader("sync_execution", required: false, "true: wait for the run and answer its response (status from the workflow).")
            .WithHeader("instance_tag", required: false, "A tag stored on the execution.");
        app.MapPost("/api/v1/workflow/{workflowIdOrAlias}/execute", ExecuteV1).RequireAuthorization(Policies.LinkedAccount).WithTags("Workflows")
            .WithSummary("Execute a workflow by id or alias (v1)").Accepts<JsonObject>("application/json")
            .WithAlternativeResponse<SyncExecutionV1>(200)
            .WithHeader("slug", required: false, "The workflow's app slug (checked when given).")
            .WithHeader("config_id", required: false, "The config to run in (default: the linked account's id).")
            .WithHeader("sync_execution", required: false, "true: wait for the run and answer its response (status from the workflow).")
            .WithHeader("instance_tag", required: false, "A tag stored on the execution.");
        app.MapPost("/api/v1/workflows/webhooks/{waitId}", Webhook).AllowAnonymous().WithTags("Workflows")
            .WithSummary("Resume an execution waiting for this webhook").Accepts<JsonObject>("application/json");
    }

    // ---- WF8, WF9 ----

    static Task<Results<Ok<ExecutionQueued>, JsonHttpResult<SyncExecutionV2>, JsonHttpResult<SyncExecutionV1>, ApiError>> ExecuteV2(
        string workflowId, HttpContext http, Caller caller, ExecutionService service, WorkflowStore workflows, LinkedAccountStore accounts, IWorkflowConfigs configs, CancellationToken ct) =>
        ExecuteAsync(workflowId, http, caller, service, workflows, accounts, configs, v2: true, ct);

    static Task<Results<Ok<ExecutionQueued>, JsonHttpResult<SyncExecutionV2>, JsonHttpResult<SyncExecutionV1>, ApiError>> ExecuteV1(
        string workflowIdOrAlias, HttpContext http, Caller caller, ExecutionService service, WorkflowStore workflows, LinkedAccountStore accounts, IWorkflowConfigs configs, CancellationToken ct) =>
        ExecuteAsync(workflowIdOrAlias, http, caller, service, workflows, accounts, configs, v2: false, ct);

    static async Task<Results<Ok<ExecutionQueued>, JsonHttpResult<SyncExecutionV2>, JsonHttpResult<SyncExecutionV1>, ApiError>> ExecuteAsync(
        string id, HttpContext http, Caller caller, ExecutionService service, WorkflowStore workflows, LinkedAccountStore accounts, IWorkflowConfigs configs, bool v2, CancellationToken ct)
    {
        var headers = http.Request.Headers;
        var slug = headers["slug"].ToString();
        if (v2 && slug.Length == 0) return ApiError.Validation("Workflow ID and slug are required");
        var payload = await JsonBody.ReadNodeAsync(http, required: false);
        var account = await accounts.ForCallerAsync(caller, ct);
        if (account is null) return caller.LinkedAccountNotFound(caller.AccountId);
        var version = await workflows.LiveVersionAsync(caller.OrgId, caller.Environment, id, ct);
        if (version is null) return ApiError.NotFound(ErrorCodes.ServerError, $"No published workflow with id or alias '{id}'");
        if (version.IsPrivate && version.LinkedAccountRowId != account.Id) return ApiError.Forbidden(ErrorCodes.ServerError, "Workflow is private to another linked account");
        if (slug.Length > 0 && slug != version.Slug) return ApiError.Validation($"Workflow {id} belongs to '{version.Slug}', not '{slug}'");
        var configId = headers["config_id"].ToString() is { Length: > 0 } c ? c : account.AccountId;
        // v2 runs a public workflow only where the chosen config enables it (CF8); v1 runs it regardless.
        if (v2 && !version.IsPrivate && !await configs.IsEnabledAsync(account.Id, version.Slug, configId, version.DraftId!, ct))
            return ApiError.Validation($"Workflow {version.DraftId} is not enabled for linked account {account.AccountId} (config {configId})");
        var sync = headers["sync_execution"].ToString().Equals("true", StringComparison.OrdinalIgnoreCase);
        var instanceTag = headers["instance_tag"].ToString() is { Length: > 0 } tag ? tag : null;
        var row = await service.StartAsync(version, account, configId, payload, sync, ExecutionSources.ApiCall, instanceTag, ct);
        if (!sync) return TypedResults.Ok(new ExecutionQueued(v2 ? "Workflow execution started" : null, row.Id));

        var returnValue = row.ReturnValue is null ? null : JsonNode.Parse(row.ReturnValue);
        var errored = row.Status is ExecutionStatus.Errored or ExecutionStatus.TimedOut or ExecutionStatus.Stopped;
        var status = row.ReturnStatus ?? (errored ? 500 : 200);
        if (!v2) return TypedResults.Json(new SyncExecutionV1(returnValue, row.Id, row.Status), statusCode: status);
        return TypedResults.Json(new SyncExecutionV2(row.Id, returnValue, errored, status, false, row.Status,
            errored ? new MessageResponse(row.Error ?? row.Status) : null), statusCode: status);
    }

    // ---- inbound webhook for "wait for webhook" nodes ----

    static async Task<Results<Ok<MessageResponse>, ApiError>> Webhook(
        string waitId, HttpContext http, ExecutionStore executions, ExecutionWorker worker, TimeProvider time, CancellationToken ct)
    {
        var body = await JsonBody.ReadNodeAsync(http, required: false);
        if (!await executions.ReceiveWebhookAsync(WebhookIds.Hash(waitId), body.ToJsonString(), time.GetUtcNow(), ct))
            return ApiError.NotFound(ErrorCodes.ResourceNotFound, "No execution is waiting on this webhook");
        worker.Wake();
        return TypedResults.Ok(new MessageResponse("Webhook received"));
    }
}

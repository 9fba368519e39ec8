using System.Text.Json;
using System.Text.Json.Nodes;
using Patchbay.Apps;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.LinkedAccounts;
using Patchbay.Workflows;
using Patchbay.Workflows.Engine;

namespace Patchbay.Executions;

// Executions (refold-api.md §3.12 EX1–EX7): list, read node by node, stop, rerun, read the response.
public static class ExecutionsApi
{
    public static void MapExecutions(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v2/public").WithTags("Executions");
        api.MapGet("/execution", List).RequireAuthorization(Policies.OrgOrSession);
        api.MapGet("/executions", LegacyList).RequireAuthorization(Policies.OrgOrSession);
        api.MapGet("/execution/{executionId}", Get).RequireAuthorization(Policies.OrgOrSession);
        api.MapGet("/execution/{executionId}/nodes/{nodeId}/batches", Batches).RequireAuthorization(Policies.OrgOrSession);
        api.MapPost("/execution/{instanceId}/stop", Stop).RequireAuthorization(Policies.OrgOrSession);
        api.MapPost("/execution/{instanceId}/rerun", Rerun).RequireAuthorization(Policies.OrgOrSession);
        app.MapGet("/api/v1/execution/{executionId}/response", Response).RequireAuthorization(Policies.OrgOrSession).WithTags("Executions");
    }

    static IResult Json(JsonNode node, int status = 200) => JsonBody.Result(node, status);

    static ApiException NotFound() => new(ApiError.NotFound(ErrorCodes.ResourceNotFound, "Execution not found"));

    public static JsonObject Summary(ExecutionRow e, AppCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(catalog);
        var app = catalog.Find(e.Slug);
        var o = new JsonObject
        {
            ["_id"] = e.Id, ["name"] = e.Name, ["org_id"] = e.OrgId, ["environment"] = e.Environment, ["status"] = e.Status,
            ["associated_application"] = new JsonObject { ["_id"] = e.Slug, ["name"] = app?.Name ?? (e.Slug == "custom" ? "Custom" : e.Slug), ["icon"] = "" },
            ["associated_workflow"] = new JsonObject { ["_id"] = e.WorkflowDraftId, ["name"] = e.WorkflowName, ["icon"] = "" },
            ["workflow_version_id"] = e.WorkflowId,
            ["trigger_application_event"] = e.Source, ["linked_account_id"] = e.AccountId, ["config_id"] = e.ConfigId,
            ["type_of_execution"] = e.Type, ["is_child_instance"] = e.ParentExecutionId is not null, ["is_seed"] = false, ["executed_by_thanos"] = false,
            ["createdAt"] = WorkflowsApi.Stamp(e.CreatedAt), ["updatedAt"] = WorkflowsApi.Stamp(e.UpdatedAt),
        };
        if (e.InstanceTag is not null) o["instance_tag"] = e.InstanceTag;
        if (e.ParentExecutionId is not null) o["parent_execution_id"] = e.ParentExecutionId;
        if (e.CompletedAt is { } done)
        {
            o["completion_time"] = WorkflowsApi.Stamp(done);
            o["instance_execution_time"] = (done - e.CreatedAt).TotalMilliseconds;
        }
        return o;
    }

    // Who may see an execution: its org, and with a linked account (or a session) only that account's.
    static async Task<ExecutionRow> VisibleAsync(string id, Caller caller, ExecutionStore executions, CancellationToken ct)
    {
        var execution = await executions.GetAsync(id, ct);
        if (execution is null || execution.OrgId != caller.OrgId || execution.Environment != caller.Environment) throw NotFound();
        if (caller.LinkedAccountId is { } accountId && execution.AccountId != accountId) throw NotFound();
        return execution;
    }

    static async Task<IResult> List(HttpRequest request, Caller caller, Db db, AppCatalog catalog, CancellationToken ct)
    {
        var page = Page.From(request);
        var q = request.Query;
        var where = new List<string> { "org_id = @orgId", "environment = @environment" };
        var status = q["status"].ToString();
        if (status.Length > 0 && status != "All")
        {
            if (!ExecutionStatus.All.Contains(status)) throw new ApiException(ApiError.Validation($"'status' must be All or one of {string.Join(", ", ExecutionStatus.All)}"));
            where.Add("status = @status");
        }
        var slugs = q["slug"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (slugs.Length > 0) where.Add(db.Dialect.InList("slug", "slugs"));
        if (q["workflow_name"].ToString() is { Length: > 0 }) where.Add("lower(workflow_name) like @workflowName");
        if (q["workflow_id"].ToString() is { Length: > 0 }) where.Add("(workflow_draft_id = @workflowId or workflow_id = @workflowId)");
        if (q["execution_id"].ToString() is { Length: > 0 }) where.Add("id = @executionId");
        var from = WorkflowsApi.Date(q["start_date"], "start_date");
        var to = WorkflowsApi.Date(q["end_date"], "end_date", endOfDay: true);
        if (from is not null) where.Add("created_at >= @from");
        if (to is not null) where.Add("created_at <= @to");
        var type = q["execution_type"].ToString();
        if (type.Length > 0 && type != "All")
        {
            if (type is not ("SYNC" or "ASYNC")) throw new ApiException(ApiError.Validation("'execution_type' must be All, SYNC or ASYNC"));
            where.Add("type = @type");
        }
        switch (q["execution_source"].ToString())
        {
            case "" or "All": break;
            case "API Call" or "API_CALL": where.Add("source = 'API Call'"); break;
            case "Schedule" or "SCHEDULE": where.Add("source = 'Schedule'"); break;
            case "Event" or "EVENT": where.Add("source not in ('API Call', 'Schedule')"); break;
            default: throw new ApiException(ApiError.Validation("'execution_source' must be All, Event, Schedule or API Call"));
        }
        if (caller.LinkedAccountId is not null) where.Add("account_id = @accountId");
        var order = q["sortAsc"] == "true" ? "asc" : "desc";
        var args = new
        {
            orgId = caller.OrgId, environment = caller.Environment, status, slugs, workflowName = "%" + q["workflow_name"].ToString().ToLowerInvariant() + "%",
            workflowId = q["workflow_id"].ToString(), executionId = q["execution_id"].ToString(), from, to, type, accountId = caller.LinkedAccountId,
            limit = page.Limit, offset = page.Offset,
        };
        var filter = string.Join(" and ", where);
        var rows = await db.QueryAsync<ExecutionRow>($"select {ExecutionStore.Columns} from executions where {filter} order by created_at {order}, id {order} limit @limit offset @offset", args, ct);
        var total = await db.QueryFirstOrDefaultAsync<int>($"select count(*) from executions where {filter}", args, ct);
        return Json(JsonSerializer.SerializeToNode(Paginated.Of(rows.Select(r => Summary(r, catalog)).ToList(), total, page))!);
    }

    // EX7, 2023: a plainer list.
    static async Task<IResult> LegacyList(HttpRequest request, Caller caller, Db db, CancellationToken ct)
    {
        var page = Page.From(request);
        var args = new { orgId = caller.OrgId, environment = caller.Environment, accountId = caller.LinkedAccountId, limit = page.Limit, offset = page.Offset };
        var filter = "org_id = @orgId and environment = @environment" + (caller.LinkedAccountId is null ? "" : " and account_id = @accountId");
        var rows = await db.QueryAsync<ExecutionRow>($"select {ExecutionStore.Columns} from executions where {filter} order by created_at desc, id desc limit @limit offset @offset", args, ct);
        var total = await db.QueryFirstOrDefaultAsync<int>($"select count(*) from executions where {filter}", args, ct);
        var docs = rows.Select(r => new JsonObject
        {
            ["_id"] = r.Id, ["createdAt"] = WorkflowsApi.Stamp(r.CreatedAt), ["environment"] = r.Environment, ["linked_account_id"] = r.AccountId,
            ["org_id"] = r.OrgId, ["status"] = r.Status,
        }).ToList();
        return Json(JsonSerializer.SerializeToNode(Paginated.Of(docs, total, page))!);
    }

    static async Task<IResult> Get(string executionId, Caller caller, ExecutionStore executions, AppCatalog catalog, PublicUrls urls,
        WebhookIds webhookIds, HttpRequest request, CancellationToken ct)
    {
        var e = await VisibleAsync(executionId, caller, executions, ct);
        var o = Summary(e, catalog);
        var runs = await executions.NodeRunsAsync(e.Id, ct);
        var nodes = new JsonArray();
        foreach (var r in runs)
        {
            var node = new JsonObject
            {
                ["node_id"] = r.NodeId, ["node_name"] = r.NodeName, ["node_type"] = r.NodeType, ["node_status"] = r.Status, ["is_batch"] = false,
                ["attempts_made"] = r.Attempts, ["maximum_attempts"] = r.MaxAttempts, ["execution_time"] = r.ExecutionMs,
                ["input_data"] = r.Input is null ? null : JsonNode.Parse(r.Input), ["latest_output"] = r.Output is null ? null : JsonNode.Parse(r.Output),
                ["started_at"] = WorkflowsApi.Stamp(r.StartedAt), ["finished_at"] = WorkflowsApi.Stamp(r.FinishedAt),
            };
            if (r.Error is not null) node["error"] = r.Error;
            nodes.Add(node);
        }
        // The node it is on now: waiting (a delay, a webhook, a child execution) or about to run.
        if (!ExecutionStatus.IsFinal(e.Status) && e.CurrentNode is { } current)
        {
            var state = ExecutionState.Deserialize(e.State);
            var waiting = state.Waiting is { } w && w.Node == current ? w : null;
            var output = new JsonObject { ["node_id"] = current };
            if (waiting is { Kind: "webhook", Ref: { } waitId }) output["webhook_url"] = $"{urls.Base(request)}/api/v1/workflows/webhooks/{webhookIds.Id(waitId)}";
            if (waiting is { Kind: "child", Ref: { } childId }) output["child_execution_id"] = childId;
            if (waiting?.Until is { } until) output["until"] = WorkflowsApi.Stamp(until);
            nodes.Add(new JsonObject
            {
                ["node_id"] = current, ["node_status"] = waiting is null ? NodeStatus.Ready : NodeStatus.Waiting, ["is_batch"] = false,
                ["attempts_made"] = state.Failures, ["latest_output"] = output,
            });
        }
        o["nodes"] = nodes;
        o["completion_percentage"] = e.Status == ExecutionStatus.Completed ? 100 : e.NodesTotal == 0 ? 0 : Math.Min(99, e.NodesDone * 100 / e.NodesTotal);
        o["payload"] = JsonNode.Parse(e.Payload);
        if (e.ReturnValue is not null) o["return_value"] = JsonNode.Parse(e.ReturnValue);
        if (e.ReturnStatus is not null) o["return_status"] = e.ReturnStatus;
        if (e.Error is not null) o["error"] = e.Error;
        return Json(o);
    }

    static async Task<IResult> Batches(string executionId, string nodeId, Caller caller, ExecutionStore executions, CancellationToken ct)
    {
        await VisibleAsync(executionId, caller, executions, ct);
        _ = nodeId;
        return ApiError.Create(501, ErrorCodes.ServerError, "Batch details are not yet available for this execution type");
    }

    static async Task<IResult> Stop(string instanceId, Caller caller, ExecutionStore executions, ExecutionWorker worker, TimeProvider time, CancellationToken ct)
    {
        var e = await VisibleAsync(instanceId, caller, executions, ct);
        if (!await executions.StopAsync(e.Id, time.GetUtcNow(), ct))
            throw new ApiException(ApiError.Validation($"Execution {e.Id} is not running ({(await executions.GetAsync(e.Id, ct))?.Status ?? e.Status})"));
        worker.Wake();
        return Json(new JsonObject { ["message"] = "Stopping instance" });
    }

    static async Task<IResult> Rerun(string instanceId, Caller caller, ExecutionStore executions, LinkedAccountStore accounts, ExecutionService service,
        WorkflowStore workflows, CancellationToken ct)
    {
        var e = await VisibleAsync(instanceId, caller, executions, ct);
        var version = await workflows.GetAsync(e.OrgId, e.Environment, e.WorkflowId, ct)
            ?? throw new ApiException(ApiError.Validation("The workflow of this execution no longer exists"));
        var account = await accounts.FindAsync(e.OrgId, e.Environment, e.AccountId, ct) ?? throw NotFound();
        var row = await service.StartAsync(version, account, e.ConfigId, JsonNode.Parse(e.Payload)!, false, e.Source, e.InstanceTag, ct,
            name: $"Retry for workflow {e.WorkflowDraftId}");
        return Json(new JsonObject { ["status"] = "success", ["id"] = row.Id });
    }

    static async Task<IResult> Response(string executionId, Caller caller, ExecutionStore executions, CancellationToken ct)
    {
        var e = await VisibleAsync(executionId, caller, executions, ct);
        return Json(new JsonObject { ["response"] = e.ReturnValue is null ? null : JsonNode.Parse(e.ReturnValue), ["status"] = e.Status });
    }
}

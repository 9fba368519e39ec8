using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Patchbay.Apps;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Executions;
using Patchbay.Http;
using Patchbay.LinkedAccounts;
using Patchbay.Sandbox;
using Patchbay.Workflows.Engine;

namespace Patchbay.Workflows;

// Workflows (refold-api.md §3.11 WF1–WF12), the per-account enable toggle (§3.9 CF8) and the inbound webhook of
// "wait for webhook" nodes.
public static class WorkflowsApi
{
    public static void MapWorkflows(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v2/public/workflow").WithTags("Workflows");
        api.MapGet("", List).RequireAuthorization(Policies.OrgOrSession);
        api.MapPost("", Create).RequireAuthorization(Policies.OrgOrSession);
        api.MapGet("/enabled", Enabled).RequireAuthorization(Policies.LinkedAccount);
        api.MapGet("/request-structure/{workflowId}", RequestStructure).RequireAuthorization(Policies.OrgOrSession);
        api.MapGet("/versions/{workflowId}", Versions).RequireAuthorization(Policies.OrgOrSession);
        api.MapGet("/{workflowId}", Get).RequireAuthorization(Policies.OrgOrSession);
        api.MapPut("/{workflowId}", Update).RequireAuthorization(Policies.OrgOrSession);
        api.MapDelete("/{workflowId}", Delete).RequireAuthorization(Policies.OrgOrSession);
        api.MapGet("/{workflowId}/edit", Edit).RequireAuthorization(Policies.OrgOrSession);
        api.MapPut("/{workflowId}/publish", Publish).RequireAuthorization(Policies.OrgOrSession);
        api.MapPost("/{workflowId}/execute", ExecuteV2).RequireAuthorization(Policies.LinkedAccount);
        app.MapPost("/api/v1/workflow/{workflowIdOrAlias}/execute", ExecuteV1).RequireAuthorization(Policies.LinkedAccount).WithTags("Workflows");
        app.MapPatch("/api/v2/public/slug/{slug}/config/{configId}/workflows/{workflowId}", Toggle).RequireAuthorization(Policies.LinkedAccount).WithTags("Workflows");
        app.MapPost("/api/v1/workflows/webhooks/{waitId}", Webhook).AllowAnonymous().WithTags("Workflows");
    }

    // ---- views ----

    public static JsonObject View(WorkflowRow w)
    {
        ArgumentNullException.ThrowIfNull(w);
        var definition = JsonNode.Parse(w.Definition)!.AsObject();
        var o = new JsonObject
        {
            ["_id"] = w.Id, ["name"] = w.Name, ["description"] = w.Description, ["icon"] = "", ["slug"] = w.Slug, ["org_id"] = w.OrgId,
            ["environment"] = w.Environment, ["published"] = w.Published, ["autoEnable"] = false, ["hide_in_config"] = false,
            ["public_access_workflow"] = w.IsPrivate, ["associated_application"] = w.Slug, ["is_v2"] = true,
            ["settings"] = definition["settings"]?.DeepClone() ?? new JsonObject(), ["nodes"] = definition["nodes"]?.DeepClone(), ["edges"] = definition["edges"]?.DeepClone(),
            ["version"] = w.Version, ["current_version"] = w.CurrentVersion, ["trigger_type"] = w.TriggerType,
            ["createdAt"] = Stamp(w.CreatedAt), ["updatedAt"] = Stamp(w.UpdatedAt),
        };
        if (w.Alias is not null) o["workflow_alias"] = w.Alias;
        if (w.TriggerEvent is not null) o["trigger_event"] = w.TriggerEvent;
        if (w.DraftId is not null) o["associated_workflow"] = w.DraftId;
        if (w.LiveVersionId is not null) o["live_version_id"] = w.LiveVersionId;
        return o;
    }

    public static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    static IResult Json(JsonNode node, int status = 200) => JsonBody.Result(node, status);

    static ApiException NotFound() => new(ApiError.NotFound(ErrorCodes.ServerError, "Workflow not found"));

    // A workflow the caller may see: its org's, and when private, only by its own account (or the org key).
    static async Task<WorkflowRow> VisibleAsync(string id, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, CancellationToken ct) =>
        await CheckVisibleAsync(await workflows.FindAsync(caller.OrgId, caller.Environment, id, ct) ?? throw NotFound(), caller, accounts, ct);

    static async Task<WorkflowRow> CheckVisibleAsync(WorkflowRow workflow, Caller caller, LinkedAccountStore accounts, CancellationToken ct)
    {
        if (workflow.IsPrivate && caller.LinkedAccountId is { } accountId)
        {
            var account = await accounts.FindAsync(caller.OrgId, caller.Environment, accountId, ct);
            if (account?.Id != workflow.LinkedAccountRowId)
                throw new ApiException(ApiError.Forbidden(ErrorCodes.ServerError, "Workflow is private to another linked account"));
        }
        return workflow;
    }

    // Writing a public (org-level) workflow is the org's business: its key, never an end user's session.
    static WorkflowRow Writable(WorkflowRow workflow, Caller caller) =>
        !workflow.IsPrivate && caller.IsSession
            ? throw new ApiException(ApiError.Forbidden(ErrorCodes.SessionTokenNotAllowed, "Session tokens cannot change the organization's public workflows"))
            : workflow;

    static async Task<string?> CallerAccountRowAsync(Caller caller, LinkedAccountStore accounts, CancellationToken ct)
    {
        if (caller.LinkedAccountId is not { } id) return null;
        return (await accounts.FindAsync(caller.OrgId, caller.Environment, id, ct) ?? throw new ApiException(LinkedAccountsApi.NotFound(caller, id))).Id;
    }

    static Task<JsonObject> ReadAsync(HttpContext http, bool required = true) => JsonBody.ReadNodeAsync(http, required);

    // ---- WF1, WF2 ----

    static async Task<IResult> List(HttpRequest request, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, CancellationToken ct)
    {
        var page = Page.From(request);
        var q = request.Query;
        var accountRowId = await CallerAccountRowAsync(caller, accounts, ct);
        var privateOnly = q["scope"] == "private";
        if (privateOnly && accountRowId is null) throw new ApiException(ApiError.BadRequest(ErrorCodes.MissingLinkedAccountId, "scope=private needs a linked account"));
        bool? published = q["published"].ToString() switch { "true" => true, "false" => false, "" => null, _ => throw new ApiException(ApiError.Validation("'published' must be true or false")) };
        var slug = NonEmpty(q["slug"]) ?? NonEmpty(q["application_id"]);
        var (rows, total) = await workflows.ListAsync(caller.OrgId, caller.Environment, accountRowId, privateOnly, slug, NonEmpty(q["name"]), published,
            Date(q["start_date"], "start_date"), Date(q["end_date"], "end_date", endOfDay: true), page.Number, page.Limit, ct);
        var envelope = JsonSerializer.SerializeToNode(Paginated.Of(rows.Select(View).ToList(), total, page))!.AsObject();
        envelope["schema"] = new JsonObject();
        return Json(envelope);
    }

    static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    public static DateTimeOffset? Date(string? value, string name, bool endOfDay = false)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateTimeOffset.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var day))
            return endOfDay ? day.AddDays(1).AddTicks(-1) : day;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at;
        throw new ApiException(ApiError.Validation($"'{name}' must be a date (YYYY-MM-DD) or an ISO 8601 instant"));
    }

    // An org key alone creates a public (org-level) workflow; with a linked account (or a session) a private one.
    static async Task<IResult> Create(HttpContext http, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, AppCatalog catalog, TimeProvider time, CancellationToken ct)
    {
        var body = await ReadAsync(http);
        var name = Limits.Check(WorkflowDefinition.Text(body["name"]), "name", Limits.Name);
        if (string.IsNullOrWhiteSpace(name)) throw new ApiException(ApiError.Validation("'name' is required"));
        var slug = Limits.Check(WorkflowDefinition.Text(body["slug"]) ?? WorkflowDefinition.Text(body["associated_application"]), "slug", Limits.Identifier) ?? "custom";
        if (slug != "custom" && catalog.Find(slug) is null)
            throw new ApiException(ApiError.Validation($"Application with slug {slug} not found"));
        var accountRowId = await CallerAccountRowAsync(caller, accounts, ct);
        var now = time.GetUtcNow();
        var row = Draft(new WorkflowRow
        {
            Id = Ids.New(now), OrgId = caller.OrgId, Environment = caller.Environment, LinkedAccountRowId = accountRowId, Slug = slug, Name = name.Trim(),
            Definition = "{}", CreatedAt = now, UpdatedAt = now,
        }, body);
        await AliasGuardAsync(http, row, () => workflows.CreateAsync(row, ct));
        return Json(new JsonObject { ["workflow"] = View(row) });
    }

    // Aliases are unique per org and environment: a taken one is the client's mistake, not a server error.
    static async Task AliasGuardAsync(HttpContext http, WorkflowRow row, Func<Task> save)
    {
        try
        {
            await save();
        }
        catch (System.Data.Common.DbException e) when (http.RequestServices.GetRequiredService<Db>().Dialect.IsUniqueViolation(e))
        {
            throw new ApiException(ApiError.Validation($"The alias '{row.Alias}' is already used by another workflow"));
        }
    }

    // Applies name, description, alias, settings and the graph from a body onto a draft, validating the graph.
    static WorkflowRow Draft(WorkflowRow row, JsonObject body)
    {
        var current = row.Definition == "{}" ? WorkflowDefinition.Empty() : JsonNode.Parse(row.Definition)!.AsObject();
        var graph = new JsonObject
        {
            ["nodes"] = (body["nodes"] ?? current["nodes"])?.DeepClone(),
            ["edges"] = (body["edges"] ?? current["edges"])?.DeepClone() ?? new JsonArray(),
            ["settings"] = Merge(current["settings"] as JsonObject, body["settings"]),
        };
        var (definition, error) = WorkflowDefinition.Parse(graph, CodeSandbox.SyntaxError);
        if (definition is null) throw new ApiException(ApiError.Validation(error!));
        var alias = body.ContainsKey("workflow_alias") ? WorkflowDefinition.Text(body["workflow_alias"]) : row.Alias;
        if (alias is not null && (alias.Length is 0 or > 100 || alias.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))))
            throw new ApiException(ApiError.Validation("'workflow_alias' may hold letters, digits, '-', '_' and '.' (at most 100)"));
        return row with
        {
            Name = Limits.Check(WorkflowDefinition.Text(body["name"]), "name", Limits.Name)?.Trim() is { Length: > 0 } n ? n : row.Name,
            Description = body.ContainsKey("description") ? Limits.Check(WorkflowDefinition.Text(body["description"]), "description", Limits.Text) ?? "" : row.Description,
            Alias = alias,
            TriggerType = definition.TriggerType,
            TriggerEvent = definition.TriggerType == "event" ? definition.TriggerEvent : null,
            Definition = definition.ToJson().ToJsonString(),
        };
    }

    static JsonObject Merge(JsonObject? current, JsonNode? update)
    {
        var merged = (JsonObject?)current?.DeepClone() ?? [];
        if (update is null) return merged;
        if (update is not JsonObject o) throw new ApiException(ApiError.Validation("'settings' must be an object"));
        foreach (var (key, value) in o) merged[key] = value?.DeepClone();
        return merged;
    }

    // ---- WF3–WF7 ----

    static async Task<IResult> Get(string workflowId, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, CancellationToken ct) =>
        Json(View(await VisibleAsync(workflowId, caller, workflows, accounts, ct)));

    static async Task<IResult> Update(string workflowId, HttpContext http, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, TimeProvider time, CancellationToken ct)
    {
        var workflow = Writable(await VisibleAsync(workflowId, caller, workflows, accounts, ct), caller);
        if (workflow.IsVersion)
            throw new ApiException(ApiError.BadRequest(ErrorCodes.ServerError, $"Workflow is a version workflow; edit its draft {workflow.DraftId}"));
        var updated = Draft(workflow, await ReadAsync(http)) with { UpdatedAt = time.GetUtcNow() };
        await AliasGuardAsync(http, updated, () => workflows.UpdateDraftAsync(updated, ct));
        return Json(View(updated));
    }

    static async Task<IResult> Delete(string workflowId, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, CancellationToken ct)
    {
        var workflow = Writable(await VisibleAsync(workflowId, caller, workflows, accounts, ct), caller);
        if (workflow.IsVersion) throw new ApiException(ApiError.BadRequest(ErrorCodes.ServerError, "Workflow is a version workflow."));
        await workflows.DeleteAsync(workflow.Id, ct);
        return Json(new JsonObject
        {
            ["success"] = true, ["triggers_deregistered"] = true, ["message"] = "Workflow deleted successfully", ["successfullyDeletedTriggers"] = true,
        });
    }

    static async Task<IResult> Edit(string workflowId, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, CancellationToken ct)
    {
        var workflow = await VisibleAsync(workflowId, caller, workflows, accounts, ct);
        if (workflow.DraftId is { } draftId) workflow = await workflows.GetAsync(caller.OrgId, caller.Environment, draftId, ct) ?? throw NotFound();
        return Json(View(workflow));
    }

    static async Task<IResult> Publish(string workflowId, HttpContext http, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, TimeProvider time, CancellationToken ct)
    {
        var body = await ReadAsync(http);
        if (body["published"]?.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            throw new ApiException(ApiError.Validation("'published' (true or false) is required"));
        var workflow = await workflows.FindAsync(caller.OrgId, caller.Environment, workflowId, ct)
            ?? throw new ApiException(ApiError.NotFound("INVALID_WORKFLOW_ID", "No workflow found with the provided ID."));
        Writable(await CheckVisibleAsync(workflow, caller, accounts, ct), caller);
        var now = time.GetUtcNow();
        if (body["published"]!.GetValue<bool>())
        {
            if (workflow.IsVersion) throw new ApiException(ApiError.BadRequest("INVALID_WORKFLOW_ID", $"Publish the draft {workflow.DraftId}, not a version"));
            var version = await workflows.PublishAsync(workflow, Ids.New(now), now, ct);
            return Json(View(version));
        }
        if (!workflow.IsVersion || !workflow.Published)
            throw new ApiException(ApiError.BadRequest("INVALID_WORKFLOW_ID", "Only public and published workflows can be unpublished"));
        await workflows.UnpublishAsync(workflow, now, ct);
        return Json(View(workflow with { Published = false, UpdatedAt = now }));
    }

    // ---- WF10–WF12 ----

    static async Task<IResult> Enabled(Caller caller, WorkflowStore workflows, ExecutionService service, AppCatalog catalog, CancellationToken ct)
    {
        var account = await service.AccountAsync(caller, ct);
        var result = new JsonArray();
        foreach (var (workflowId, configId) in await workflows.EnabledForAccountAsync(account.Id, ct))
        {
            if (await workflows.GetAsync(caller.OrgId, caller.Environment, workflowId, ct) is not { } w) continue;
            var app = catalog.Find(w.Slug);
            result.Add(new JsonObject
            {
                ["id"] = w.Id, ["name"] = w.Name, ["description"] = w.Description, ["icon"] = "", ["createdAt"] = Stamp(w.CreatedAt), ["updatedAt"] = Stamp(w.UpdatedAt),
                ["config_id"] = configId,
                ["application"] = new JsonObject { ["_id"] = w.Slug, ["name"] = app?.Name ?? w.Slug, ["icon"] = "", ["description"] = app?.Description ?? "" },
            });
        }
        return Json(result);
    }

    static async Task<IResult> RequestStructure(string workflowId, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, CancellationToken ct)
    {
        var workflow = await VisibleAsync(workflowId, caller, workflows, accounts, ct);
        var definition = JsonNode.Parse(workflow.Definition)!;
        var start = ((JsonArray)definition["nodes"]!).First(n => WorkflowDefinition.Text(n!["type"]) == NodeTypes.Start)!;
        var schema = (definition["settings"] as JsonObject)?["json_schema"] as JsonObject;
        JsonObject? interpreted = null;
        if (schema?["properties"] is JsonObject properties)
        {
            var required = (schema["required"] as JsonArray)?.Select(r => r?.ToJsonString().Trim('"')).ToHashSet() ?? [];
            interpreted = [];
            foreach (var (name, property) in properties)
                interpreted[name] = $"{WorkflowDefinition.Text((property as JsonObject)?["type"]) ?? "any"}{(required.Contains(name) ? " (required)" : "")}";
        }
        return Json(new JsonObject { ["payload"] = start["data"]?["sample_payload"]?.DeepClone(), ["schema"] = schema?.DeepClone(), ["schema_interpreted"] = interpreted });
    }

    static async Task<IResult> Versions(string workflowId, HttpRequest request, Caller caller, WorkflowStore workflows, LinkedAccountStore accounts, CancellationToken ct)
    {
        var workflow = await VisibleAsync(workflowId, caller, workflows, accounts, ct);
        var page = Page.From(request);
        var (rows, total) = await workflows.VersionsAsync(workflow.DraftId ?? workflow.Id, page.Number, page.Limit, ct);
        var docs = rows.Select(v => new JsonObject { ["version"] = v.Version, ["_id"] = v.Id, ["published"] = v.Published, ["createdAt"] = Stamp(v.CreatedAt) }).ToList();
        var envelope = JsonSerializer.SerializeToNode(Paginated.Of(docs, total, page))!.AsObject();
        envelope["schema"] = new JsonObject();
        return Json(envelope);
    }

    // ---- WF8, WF9 ----

    static Task<IResult> ExecuteV2(string workflowId, HttpContext http, Caller caller, ExecutionService service, WorkflowStore workflows, CancellationToken ct) =>
        ExecuteAsync(workflowId, http, caller, service, workflows, v2: true, ct);

    static Task<IResult> ExecuteV1(string workflowIdOrAlias, HttpContext http, Caller caller, ExecutionService service, WorkflowStore workflows, CancellationToken ct) =>
        ExecuteAsync(workflowIdOrAlias, http, caller, service, workflows, v2: false, ct);

    static async Task<IResult> ExecuteAsync(string id, HttpContext http, Caller caller, ExecutionService service, WorkflowStore workflows, bool v2, CancellationToken ct)
    {
        var headers = http.Request.Headers;
        var slug = headers["slug"].ToString();
        if (v2 && slug.Length == 0) throw new ApiException(ApiError.Validation("Workflow ID and slug are required"));
        var payload = await ReadAsync(http, required: false);
        var account = await service.AccountAsync(caller, ct);
        var version = await workflows.LiveVersionAsync(caller.OrgId, caller.Environment, id, ct)
            ?? throw new ApiException(ApiError.NotFound(ErrorCodes.ServerError, $"No published workflow with id or alias '{id}'"));
        if (version.IsPrivate && version.LinkedAccountRowId != account.Id)
            throw new ApiException(ApiError.Forbidden(ErrorCodes.ServerError, "Workflow is private to another linked account"));
        if (slug.Length > 0 && slug != version.Slug)
            throw new ApiException(ApiError.Validation($"Workflow {id} belongs to '{version.Slug}', not '{slug}'"));
        var configId = headers["config_id"].ToString() is { Length: > 0 } c ? c : account.AccountId;
        // v2 runs a public workflow only for the accounts that enabled it (CF8); v1 runs it regardless (§7.9).
        if (v2 && !version.IsPrivate && !await workflows.IsEnabledAsync(account.Id, configId, version.DraftId!, ct))
            throw new ApiException(ApiError.Validation($"Workflow {version.DraftId} is not enabled for linked account {account.AccountId} (config {configId})"));
        var sync = headers["sync_execution"].ToString().Equals("true", StringComparison.OrdinalIgnoreCase);
        var instanceTag = headers["instance_tag"].ToString() is { Length: > 0 } tag ? tag : null;
        var row = await service.StartAsync(version, account, configId, payload, sync, "API Call", instanceTag, ct);
        if (!sync) return Json(v2 ? new JsonObject { ["message"] = "Workflow execution started", ["execution_id"] = row.Id } : new JsonObject { ["execution_id"] = row.Id });

        var returnValue = row.ReturnValue is null ? null : JsonNode.Parse(row.ReturnValue);
        var errored = row.Status is ExecutionStatus.Errored or ExecutionStatus.TimedOut or ExecutionStatus.Stopped;
        var status = row.ReturnStatus ?? (errored ? 500 : 200);
        if (!v2) return Json(new JsonObject { ["return_value"] = returnValue, ["execution_id"] = row.Id, ["status"] = row.Status }, status);
        var result = new JsonObject
        {
            ["execution_id"] = row.Id, ["return_value"] = returnValue, ["errored"] = errored, ["status_code"] = status, ["executed_by_thanos"] = false, ["status"] = row.Status,
        };
        if (errored) result["execution_error"] = new JsonObject { ["message"] = row.Error ?? row.Status };
        return Json(result, status);
    }

    // ---- CF8 ----

    static async Task<IResult> Toggle(string slug, string configId, string workflowId, HttpContext http, Caller caller, WorkflowStore workflows,
        ExecutionService service, TimeProvider time, CancellationToken ct)
    {
        var body = await ReadAsync(http);
        if (body["enabled"]?.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            throw new ApiException(ApiError.Validation("'enabled' (true or false) is required"));
        var account = await service.AccountAsync(caller, ct);
        var workflow = await workflows.FindAsync(caller.OrgId, caller.Environment, workflowId, ct);
        if (workflow?.DraftId is { } draft) workflow = await workflows.GetAsync(caller.OrgId, caller.Environment, draft, ct);
        if (workflow is null || workflow.IsPrivate || workflow.Slug != slug)
            throw new ApiException(ApiError.NotFound(ErrorCodes.ResourceNotFound, $"No public workflow {workflowId} for application '{slug}'"));
        await workflows.SetEnabledAsync(account.Id, configId, workflow.Id, body["enabled"]!.GetValue<bool>(), time.GetUtcNow(), ct);

        var (all, _) = await workflows.ListAsync(caller.OrgId, caller.Environment, null, false, slug, null, null, null, null, 1, 1000, ct);
        var list = new JsonArray();
        foreach (var w in all)
        {
            list.Add(new JsonObject
            {
                ["id"] = w.Id, ["name"] = w.Name, ["description"] = w.Description,
                ["enabled"] = await workflows.IsEnabledAsync(account.Id, configId, w.Id, ct), ["data_slots"] = new JsonArray(),
            });
        }
        return Json(new JsonObject { ["workflows"] = list });
    }

    // ---- inbound webhook for "wait for webhook" nodes ----

    static async Task<IResult> Webhook(string waitId, HttpContext http, ExecutionStore executions, ExecutionWorker worker, TimeProvider time, CancellationToken ct)
    {
        var body = await ReadAsync(http, required: false);
        if (!await executions.ReceiveWebhookAsync(WebhookIds.Hash(waitId), body.ToJsonString(), time.GetUtcNow(), ct))
            throw new ApiException(ApiError.NotFound(ErrorCodes.ResourceNotFound, "No execution is waiting on this webhook"));
        worker.Wake();
        return Json(new JsonObject { ["message"] = "Webhook received" });
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Apps;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.LinkedAccounts;
using Patchbay.Workflows;

namespace Patchbay.Schedules;

// Schedules (refold-api.md §3.13 SC1–SC6), with an org key and the linked_account_id header.
public static class SchedulesApi
{
    internal static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/workflow/public/scheduled").WithTags("Schedules").RequireAuthorization(Policies.OrgLinkedAccount);
        api.MapGet("", List).WithSummary("List the linked account's schedules").WithPaging();
        api.MapPost("", Create).WithSummary("Schedule a workflow").Accepts<CreateScheduleRequest>("application/json")
            .WithHeader("workflow_id_alias", required: true, "The workflow to run: its id or alias.")
            .WithHeader("slug", required: false, "The workflow's app slug (checked when given).")
            .WithHeader("config_id", required: false, "The config to run in (default: the linked account's id).");
        api.MapPut("/{scheduleId}", Update).WithSummary("Update a schedule").Accepts<UpdateScheduleRequest>("application/json");
        api.MapDelete("/{scheduleId}", Delete).WithSummary("Delete a schedule");
        api.MapPut("/{scheduleId}/pause", Pause).WithSummary("Pause a schedule").WithoutBody();
        api.MapPut("/{scheduleId}/resume", Resume).WithSummary("Resume a paused schedule").WithoutBody();
    }

    static async Task<Results<Ok<ScheduleListResponse>, ApiError>> List(HttpRequest request, Caller caller, ScheduleStore schedules,
        LinkedAccountStore accounts, WorkflowStore workflows, AppCatalog catalog, CancellationToken ct)
    {
        if (await accounts.ForCallerAsync(caller, ct) is not { } account) return AccountNotFound(caller);
        var page = Page.From(request);
        var (rows, total) = await schedules.ListAsync(account.Id, page, ct);
        var docs = new List<ScheduleResponse>(rows.Count);
        foreach (var s in rows)
        {
            var w = await workflows.GetAsync(s.OrgId, s.Environment, s.WorkflowId, ct);
            var app = catalog.Find(s.Slug);
            docs.Add(s.ToResponse(w is null ? null : new ScheduledWorkflow(w.Id, w.Name, w.Description,
                new ScheduledWorkflowApp(w.Slug, app?.Name ?? w.Slug, "", app?.Description ?? ""))));
        }
        var pages = Math.Max(1, (total + page.Limit - 1) / page.Limit);
        return TypedResults.Ok(new ScheduleListResponse(docs, total, page.Limit, page.Number, pages, page.Number < pages));
    }

    static async Task<Results<Ok<ScheduleResponse>, ApiError>> Create(HttpContext http, Caller caller, ScheduleStore schedules,
        LinkedAccountStore accounts, WorkflowStore workflows, TimeProvider time, CancellationToken ct)
    {
        var body = await ScheduleInput.ReadAsync(http);
        if (!ScheduleInput.HasTriggerType(body)) return ApiError.BadRequest(ErrorCodes.ServerError, "trigger_type is required");
        if (await accounts.ForCallerAsync(caller, ct) is not { } account) return AccountNotFound(caller);
        var headers = http.Request.Headers;
        var idOrAlias = headers["workflow_id_alias"].ToString();
        if (idOrAlias.Length == 0) return ApiError.Validation("The workflow_id_alias header is required");
        var workflow = await workflows.FindAsync(caller.OrgId, caller.Environment, idOrAlias, ct);
        if (workflow?.DraftId is { } draft) workflow = await workflows.GetAsync(caller.OrgId, caller.Environment, draft, ct);
        if (workflow is null || (workflow.IsPrivate && workflow.LinkedAccountRowId != account.Id))
            return ApiError.NotFound(ErrorCodes.ResourceNotFound, $"Workflow '{idOrAlias}' not found");
        var slug = headers["slug"].ToString();
        if (slug.Length > 0 && slug != workflow.Slug) return ApiError.Validation($"Workflow '{idOrAlias}' belongs to '{workflow.Slug}', not '{slug}'");
        var now = time.GetUtcNow();
        var row = ScheduleInput.ApplyTo(new ScheduleRow
        {
            Id = Ids.New(now), EventId = Ids.New(now), OrgId = caller.OrgId, Environment = caller.Environment, LinkedAccountRowId = account.Id,
            AccountId = account.AccountId, ConfigId = headers["config_id"].ToString() is { Length: > 0 } c ? c : account.AccountId,
            WorkflowId = workflow.Id, Slug = workflow.Slug, TriggerType = ScheduleTriggerTypes.Cron, Tz = "UTC", IntervalDates = "[]", Payload = "{}",
            Status = ScheduleStatuses.Running, CreatedAt = now, UpdatedAt = now,
        }, body, now);
        await schedules.InsertAsync(row, ct);
        return TypedResults.Ok(row.ToResponse());
    }

    static async Task<Results<Ok<ScheduleResponse>, ApiError>> Update(string scheduleId, HttpContext http, Caller caller, ScheduleStore schedules,
        LinkedAccountStore accounts, TimeProvider time, CancellationToken ct)
    {
        var body = await ScheduleInput.ReadAsync(http);
        if (await accounts.ForCallerAsync(caller, ct) is not { } account) return AccountNotFound(caller);
        if (await schedules.FindAsync(scheduleId, account.Id, ct) is not { } found) return NotFound();
        var s = ScheduleInput.ApplyTo(found, body, time.GetUtcNow());
        await schedules.UpdateAsync(s, ct);
        return TypedResults.Ok(s.ToResponse());
    }

    static async Task<Results<Ok<ScheduleDeletedResponse>, ApiError>> Delete(string scheduleId, Caller caller, ScheduleStore schedules,
        LinkedAccountStore accounts, TimeProvider time, CancellationToken ct)
    {
        if (await accounts.ForCallerAsync(caller, ct) is not { } account) return AccountNotFound(caller);
        if (await schedules.FindAsync(scheduleId, account.Id, ct) is not { } s) return NotFound();
        await schedules.DeleteAsync(s, time.GetUtcNow(), ct);
        return TypedResults.Ok(new ScheduleDeletedResponse("Scheduled Job Deleted Successfully"));
    }

    static async Task<Results<Ok<ScheduleResponse>, ApiError>> Pause(string scheduleId, Caller caller, ScheduleStore schedules,
        LinkedAccountStore accounts, TimeProvider time, CancellationToken ct)
    {
        if (await accounts.ForCallerAsync(caller, ct) is not { } account) return AccountNotFound(caller);
        if (await schedules.FindAsync(scheduleId, account.Id, ct) is not { } s) return NotFound();
        if (s.Status == ScheduleStatuses.Paused) return ApiError.BadRequest(ErrorCodes.ServerError, "Scheduled Job Already Inactive");
        var now = time.GetUtcNow();
        s = s with { Status = ScheduleStatuses.Paused, NextRunAt = null, InactiveFrom = now, UpdatedAt = now };
        await schedules.UpdateAsync(s, ct);
        return TypedResults.Ok(s.ToResponse());
    }

    static async Task<Results<Ok<ScheduleResponse>, ApiError>> Resume(string scheduleId, Caller caller, ScheduleStore schedules,
        LinkedAccountStore accounts, TimeProvider time, CancellationToken ct)
    {
        if (await accounts.ForCallerAsync(caller, ct) is not { } account) return AccountNotFound(caller);
        if (await schedules.FindAsync(scheduleId, account.Id, ct) is not { } s) return NotFound();
        var now = time.GetUtcNow();
        s = s with { Status = ScheduleStatuses.Running, InactiveFrom = null, UpdatedAt = now };
        s = s with { NextRunAt = ScheduleTimes.Next(s, now) };
        await schedules.UpdateAsync(s, ct);
        return TypedResults.Ok(s.ToResponse());
    }

    static ApiError AccountNotFound(Caller caller) => caller.LinkedAccountNotFound(caller.AccountId);

    static ApiError NotFound() => ApiError.NotFound(ErrorCodes.ResourceNotFound, "Scheduled Job Not Found");
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cronos;
using Microsoft.Extensions.Options;
using Patchbay.Apps;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Executions;
using Patchbay.Http;
using Patchbay.LinkedAccounts;
using Patchbay.Workers;
using Patchbay.Workflows.Engine;

namespace Patchbay.Workflows;

public sealed record ScheduleRow
{
    public required string Id { get; init; }
    public required string EventId { get; init; }
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public required string LinkedAccountRowId { get; init; }
    public required string AccountId { get; init; }
    public required string ConfigId { get; init; }
    public required string WorkflowId { get; init; }
    public required string Slug { get; init; }
    public required string TriggerType { get; init; }
    public string? Cron { get; init; }
    public required string Tz { get; init; }
    public string? StartDate { get; init; }
    public string? EndDate { get; init; }
    public required string IntervalDates { get; init; }
    public required string Payload { get; init; }
    public required string Status { get; init; }
    public DateTimeOffset? NextRunAt { get; init; }
    public string? LeaseOwner { get; init; }
    public DateTimeOffset? LeaseUntil { get; init; }
    public DateTimeOffset? LastRunAt { get; init; }
    public DateTimeOffset? InactiveFrom { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

// When a schedule fires next: a cron expression (5 fields, or 6 with seconds) in a time zone between optional start
// and end dates, or a list of dates and times. Pure.
public static class ScheduleTimes
{
    public static CronExpression ParseCron(string expression) =>
        CronExpression.Parse(expression.Trim(), expression.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);

    public static DateTimeOffset? Next(ScheduleRow s, DateTimeOffset after)
    {
        ArgumentNullException.ThrowIfNull(s);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(s.Tz);
        DateTimeOffset? endAt = s.EndDate is null ? null : LocalDay(s.EndDate, zone).AddDays(1);
        DateTimeOffset? next;
        if (s.TriggerType == "cron")
        {
            var from = s.StartDate is null ? after : Max(after, LocalDay(s.StartDate, zone).AddTicks(-1));
            next = ParseCron(s.Cron!).GetNextOccurrence(from, zone);
        }
        else
        {
            next = Dates(s.IntervalDates, zone).Where(d => d > after).Order().Cast<DateTimeOffset?>().FirstOrDefault();
        }
        return next is { } n && (endAt is null || n < endAt) ? n : null;
    }

    static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    static DateTimeOffset LocalDay(string date, TimeZoneInfo zone)
    {
        var day = DateTime.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        return new DateTimeOffset(day, zone.GetUtcOffset(day));
    }

    public static IEnumerable<DateTimeOffset> Dates(string json, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        foreach (var item in JsonNode.Parse(json)?.AsArray() ?? [])
        {
            var d = item?["date"] as JsonObject ?? item as JsonObject;
            if (d is null) continue;
            int Get(string key, int fallback = 0) => d[key] is JsonValue v && v.TryGetValue<int>(out var x) ? x : fallback;
            var local = new DateTime(Get("year"), Get("month", 1), Get("day", 1), Get("hour"), Get("minute"), Get("second"), DateTimeKind.Unspecified);
            yield return new DateTimeOffset(local, zone.GetUtcOffset(local));
        }
    }
}

// Schedules (refold-api.md §3.13 SC1–SC6), with an org key and the linked_account_id header.
public static class SchedulesApi
{
    const string Columns = """
        id, event_id, org_id, environment, linked_account_row_id, account_id, config_id, workflow_id, slug, trigger_type, cron, tz, start_date, end_date,
        interval_dates, payload, status, next_run_at, lease_owner, lease_until, last_run_at, inactive_from, created_at, updated_at
        """;

    public static void MapSchedules(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/workflow/public/scheduled").WithTags("Schedules").RequireAuthorization(Policies.OrgLinkedAccount);
        api.MapGet("", List);
        api.MapPost("", Create);
        api.MapPut("/{scheduleId}", Update);
        api.MapDelete("/{scheduleId}", Delete);
        api.MapPut("/{scheduleId}/pause", Pause);
        api.MapPut("/{scheduleId}/resume", Resume);
    }

    static IResult Json(JsonNode node) => JsonBody.Result(node);

    static JsonObject View(ScheduleRow s, JsonNode? workflow = null)
    {
        var options = new JsonObject { ["tz"] = s.Tz, ["trigger_type"] = s.TriggerType };
        if (s.StartDate is not null) options["startDate"] = s.StartDate;
        if (s.EndDate is not null) options["endDate"] = s.EndDate;
        var o = new JsonObject
        {
            ["_id"] = s.Id, ["id"] = s.Id, ["event_id"] = s.EventId, ["workflow"] = workflow ?? s.WorkflowId, ["config_id"] = s.ConfigId,
            ["linked_account_id"] = s.AccountId, ["environment"] = s.Environment, ["org_id"] = s.OrgId, ["trigger_type"] = s.TriggerType,
            ["trigger_interval"] = JsonNode.Parse(s.IntervalDates), ["status"] = s.Status, ["inactive"] = s.Status == "paused", ["registered_by_api"] = true,
            ["options"] = options, ["payload"] = JsonNode.Parse(s.Payload), ["schedule_added_at"] = WorkflowsApi.Stamp(s.CreatedAt),
            ["updatedAt"] = WorkflowsApi.Stamp(s.UpdatedAt), ["triggered_instances"] = new JsonArray(),
        };
        if (s.Cron is not null) o["cron_patten"] = s.Cron;
        if (s.NextRunAt is { } next) o["next_run_at"] = WorkflowsApi.Stamp(next);
        if (s.LastRunAt is { } last) o["last_run_at"] = WorkflowsApi.Stamp(last);
        if (s.InactiveFrom is { } inactive) o["inactive_from"] = WorkflowsApi.Stamp(inactive);
        return o;
    }

    static async Task<ScheduleRow> FindAsync(Db db, string id, LinkedAccountRow account, CancellationToken ct) =>
        await db.QueryFirstOrDefaultAsync<ScheduleRow>($"select {Columns} from schedules where id = @scheduleId and linked_account_row_id = @accountRowId",
            new { scheduleId = id, accountRowId = account.Id }, ct)
        ?? throw new ApiException(ApiError.NotFound(ErrorCodes.ResourceNotFound, "Scheduled Job Not Found"));

    static async Task<IResult> List(HttpRequest request, Caller caller, Db db, ExecutionService service, WorkflowStore workflows, AppCatalog catalog, CancellationToken ct)
    {
        var account = await service.AccountAsync(caller, ct);
        var page = Page.From(request);
        var rows = await db.QueryAsync<ScheduleRow>($"""
            select {Columns} from schedules where linked_account_row_id = @Id order by created_at desc, id desc limit @Limit offset @Offset
            """, new { account.Id, page.Limit, page.Offset }, ct);
        var total = await db.QueryFirstOrDefaultAsync<int>("select count(*) from schedules where linked_account_row_id = @Id", new { account.Id }, ct);
        var docs = new JsonArray();
        foreach (var s in rows)
        {
            var w = await workflows.GetAsync(s.OrgId, s.Environment, s.WorkflowId, ct);
            var app = catalog.Find(s.Slug);
            docs.Add(View(s, w is null ? null : new JsonObject
            {
                ["_id"] = w.Id, ["name"] = w.Name, ["description"] = w.Description,
                ["associated_application"] = new JsonObject { ["_id"] = w.Slug, ["name"] = app?.Name ?? w.Slug, ["icon"] = "", ["description"] = app?.Description ?? "" },
            }));
        }
        var pages = Math.Max(1, (total + page.Limit - 1) / page.Limit);
        return Json(new JsonObject
        {
            ["docs"] = docs, ["totalDocs"] = total, ["limit"] = page.Limit, ["page"] = page.Number, ["totalPages"] = pages, ["hasNextPage"] = page.Number < pages,
        });
    }

    // Reads and checks the timing fields onto a schedule; the next run is computed from now.
    static ScheduleRow Apply(ScheduleRow s, JsonObject body, DateTimeOffset now)
    {
        var type = WorkflowDefinition.Text(body["trigger_type"]) ?? s.TriggerType;
        if (type is not ("cron" or "interval")) throw new ApiException(ApiError.BadRequest(ErrorCodes.ServerError, "trigger_type is required"));
        var tz = Limits.Check(WorkflowDefinition.Text(body["tz"]), "tz", Limits.Identifier) ?? s.Tz;
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(tz, out _)) throw new ApiException(ApiError.Validation($"Unknown time zone '{tz}'"));
        string? Day(string key, string? current)
        {
            if (!body.ContainsKey(key)) return current;
            var value = WorkflowDefinition.Text(body[key]);
            if (value is null) return null;
            return DateTime.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day.Year is >= 2000 and < 2200 ? value
                : throw new ApiException(ApiError.Validation($"'{key}' must be a date (YYYY-MM-DD) between 2000 and 2199"));
        }
        var cron = Limits.Check(WorkflowDefinition.Text(body["regex"]), "regex", Limits.Identifier) ?? s.Cron;
        var intervals = body["interval_dates"] is JsonArray dates ? dates.ToJsonString() : s.IntervalDates;
        if (type == "cron")
        {
            try { ScheduleTimes.ParseCron(cron ?? throw new CronFormatException("empty")); }
            catch (CronFormatException) { throw new ApiException(ApiError.BadRequest(ErrorCodes.ServerError, "Cron Job Could Not Be Added  , Regex Configuration failed to register")); }
        }
        else
        {
            List<DateTimeOffset> all;
            try { all = [.. ScheduleTimes.Dates(intervals, TimeZoneInfo.FindSystemTimeZoneById(tz))]; }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or JsonException)
            {
                throw new ApiException(ApiError.Validation("'interval_dates' must be a list of {day, month, year, hour, minute} that are real dates"));
            }
            if (all.Count == 0 || all.Any(d => d.Year is < 2000 or >= 2200))
                throw new ApiException(ApiError.Validation("'interval_dates' must list at least one {day, month, year, hour, minute} between 2000 and 2199"));
        }
        var payload = body["payload"] switch { null => s.Payload, JsonObject p => p.ToJsonString(), _ => throw new ApiException(ApiError.Validation("'payload' must be an object")) };
        var updated = s with
        {
            TriggerType = type, Tz = tz, Cron = type == "cron" ? cron : null, IntervalDates = type == "interval" ? intervals : "[]",
            StartDate = Day("startDate", s.StartDate), EndDate = Day("endDate", s.EndDate), Payload = payload, UpdatedAt = now,
        };
        return updated with { NextRunAt = updated.Status == "running" ? ScheduleTimes.Next(updated, now) : null };
    }

    static Task<JsonObject> BodyAsync(HttpContext http) => JsonBody.ReadNodeAsync(http, required: false);

    static async Task<IResult> Create(HttpContext http, Caller caller, Db db, ExecutionService service, WorkflowStore workflows, TimeProvider time, CancellationToken ct)
    {
        var body = await BodyAsync(http);
        if (WorkflowDefinition.Text(body["trigger_type"]) is null) throw new ApiException(ApiError.BadRequest(ErrorCodes.ServerError, "trigger_type is required"));
        var account = await service.AccountAsync(caller, ct);
        var headers = http.Request.Headers;
        var idOrAlias = headers["workflow_id_alias"].ToString();
        if (idOrAlias.Length == 0) throw new ApiException(ApiError.Validation("The workflow_id_alias header is required"));
        var workflow = await workflows.FindAsync(caller.OrgId, caller.Environment, idOrAlias, ct);
        if (workflow?.DraftId is { } draft) workflow = await workflows.GetAsync(caller.OrgId, caller.Environment, draft, ct);
        if (workflow is null || (workflow.IsPrivate && workflow.LinkedAccountRowId != account.Id))
            throw new ApiException(ApiError.NotFound(ErrorCodes.ResourceNotFound, $"Workflow '{idOrAlias}' not found"));
        var slug = headers["slug"].ToString();
        if (slug.Length > 0 && slug != workflow.Slug) throw new ApiException(ApiError.Validation($"Workflow '{idOrAlias}' belongs to '{workflow.Slug}', not '{slug}'"));
        var now = time.GetUtcNow();
        var row = Apply(new ScheduleRow
        {
            Id = Ids.New(now), EventId = Ids.New(now), OrgId = caller.OrgId, Environment = caller.Environment, LinkedAccountRowId = account.Id,
            AccountId = account.AccountId, ConfigId = headers["config_id"].ToString() is { Length: > 0 } c ? c : account.AccountId,
            WorkflowId = workflow.Id, Slug = workflow.Slug, TriggerType = "cron", Tz = "UTC", IntervalDates = "[]", Payload = "{}", Status = "running",
            CreatedAt = now, UpdatedAt = now,
        }, body, now);
        await db.ExecuteAsync($"""
            insert into schedules ({Columns})
            values (@Id, @EventId, @OrgId, @Environment, @LinkedAccountRowId, @AccountId, @ConfigId, @WorkflowId, @Slug, @TriggerType, @Cron, @Tz, @StartDate,
                    @EndDate, @IntervalDates, @Payload, @Status, @NextRunAt, @LeaseOwner, @LeaseUntil, @LastRunAt, @InactiveFrom, @CreatedAt, @UpdatedAt)
            """, row, ct);
        return Json(View(row));
    }

    static Task<int> Save(Db db, ScheduleRow s, CancellationToken ct) =>
        db.ExecuteAsync("""
            update schedules set trigger_type = @TriggerType, cron = @Cron, tz = @Tz, start_date = @StartDate, end_date = @EndDate,
                interval_dates = @IntervalDates, payload = @Payload, status = @Status, next_run_at = @NextRunAt, inactive_from = @InactiveFrom, updated_at = @UpdatedAt
            where id = @Id
            """, s, ct);

    static async Task<IResult> Update(string scheduleId, HttpContext http, Caller caller, Db db, ExecutionService service, TimeProvider time, CancellationToken ct)
    {
        var body = await BodyAsync(http);
        var s = Apply(await FindAsync(db, scheduleId, await service.AccountAsync(caller, ct), ct), body, time.GetUtcNow());
        await Save(db, s, ct);
        return Json(View(s));
    }

    static async Task<IResult> Delete(string scheduleId, Caller caller, Db db, ExecutionService service, CancellationToken ct)
    {
        var s = await FindAsync(db, scheduleId, await service.AccountAsync(caller, ct), ct);
        await db.ExecuteAsync("delete from schedules where id = @Id", new { s.Id }, ct);
        return Json(new JsonObject { ["message"] = "Scheduled Job Deleted Successfully" });
    }

    static async Task<IResult> Pause(string scheduleId, Caller caller, Db db, ExecutionService service, TimeProvider time, CancellationToken ct)
    {
        var s = await FindAsync(db, scheduleId, await service.AccountAsync(caller, ct), ct);
        if (s.Status == "paused") throw new ApiException(ApiError.BadRequest(ErrorCodes.ServerError, "Scheduled Job Already Inactive"));
        var now = time.GetUtcNow();
        s = s with { Status = "paused", NextRunAt = null, InactiveFrom = now, UpdatedAt = now };
        await Save(db, s, ct);
        return Json(View(s));
    }

    static async Task<IResult> Resume(string scheduleId, Caller caller, Db db, ExecutionService service, TimeProvider time, CancellationToken ct)
    {
        var s = await FindAsync(db, scheduleId, await service.AccountAsync(caller, ct), ct);
        var now = time.GetUtcNow();
        s = s with { Status = "running", InactiveFrom = null, UpdatedAt = now };
        s = s with { NextRunAt = ScheduleTimes.Next(s, now) };
        await Save(db, s, ct);
        return Json(View(s));
    }
}

// Starts due schedules: claims them with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL), and in one transaction
// inserts the execution and moves the schedule to its next occurrence. Runs missed while no server ran collapse into
// one run.
public sealed class ScheduleWorker(
    Db db, WorkflowStore workflows, ExecutionWorker executions, IOptions<WorkflowOptions> options, TimeProvider time,
    IOptions<WorkerOptions> workerOptions, ILogger<ScheduleWorker> logger) : PollingWorker(time, workerOptions, logger)
{
    const int Batch = 50;
    static readonly LeasedWork Due = new("schedules", "status = 'running' and next_run_at <= @now", "next_run_at");
    readonly string owner = LeasedWork.NewOwner();

    protected override TimeSpan Interval => options.Value.PollInterval;

    public override async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        var now = Time.GetUtcNow();
        var due = await Due.ClaimAsync<ScheduleRow>(db, owner, now, options.Value.LeaseDuration, Batch, ct);
        var started = 0;
        foreach (var s in due)
        {
            try
            {
                if (await StartAsync(s, now, ct)) started++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One broken schedule must not hold back the others: it is paused, with the reason in the log.
                Logger.LogError(e, "Schedule {ScheduleId} could not start its run; pausing it", s.Id);
                await db.ExecuteAsync("""
                    update schedules set status = 'paused', next_run_at = null, inactive_from = @now, lease_owner = null, lease_until = null where id = @Id
                    """, new { now, s.Id }, ct);
            }
        }
        if (started > 0) executions.Wake();
        return due.Count == Batch;
    }

    async Task<bool> StartAsync(ScheduleRow s, DateTimeOffset now, CancellationToken ct)
    {
        var version = await workflows.LiveVersionAsync(s.OrgId, s.Environment, s.WorkflowId, ct);
        var next = ScheduleTimes.Next(s, now);
        ExecutionRow? row = null;
        if (version is not null)
        {
            var definition = await workflows.DefinitionAsync(version.Id, ct);
            row = ExecutionFactory.New(version, definition, s.OrgId, s.Environment, s.LinkedAccountRowId, s.AccountId, s.ConfigId,
                JsonNode.Parse(s.Payload)!, "ASYNC", "Schedule", null, null, now);
        }
        else
        {
            Logger.LogWarning("Schedule {ScheduleId} fired but workflow {WorkflowId} has no published version", s.Id, s.WorkflowId);
        }
        await db.InTransactionAsync(async tx =>
        {
            if (row is not null) await ExecutionStore.CreateAsync(tx, row, ct);
            await tx.ExecuteAsync("""
                update schedules set next_run_at = @next, last_run_at = @now, lease_owner = null, lease_until = null where id = @Id and lease_owner = @owner
                """, new { next, now, s.Id, owner }, ct);
        }, ct);
        return row is not null;
    }

    ILogger Logger => logger;
}

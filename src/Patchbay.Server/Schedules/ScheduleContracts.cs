using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Patchbay.Schedules;

// A schedule (refold-api.md §3.13; OpenAPI `Schedule`). `trigger_interval` and `payload` are the client's JSON.
public sealed record ScheduleResponse(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("id")] string IdAlias,
    [property: JsonPropertyName("event_id")] string EventId,
    [property: JsonPropertyName("workflow")] object Workflow, // the id (a string), or a ScheduledWorkflow in lists
    [property: JsonPropertyName("config_id")] string ConfigId,
    [property: JsonPropertyName("linked_account_id")] string LinkedAccountId,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("org_id")] string OrgId,
    [property: JsonPropertyName("trigger_type")] string TriggerType,
    [property: JsonPropertyName("cron_patten"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CronPattern, // sic
    [property: JsonPropertyName("trigger_interval")] JsonNode? TriggerInterval,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("inactive")] bool Inactive,
    [property: JsonPropertyName("registered_by_api")] bool RegisteredByApi,
    [property: JsonPropertyName("options")] ScheduleOptions Options,
    [property: JsonPropertyName("payload")] JsonNode? Payload,
    [property: JsonPropertyName("schedule_added_at")] DateTimeOffset ScheduleAddedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("triggered_instances")] IReadOnlyList<object> TriggeredInstances, // always empty: runs are executions with execution_source=Schedule
    [property: JsonPropertyName("next_run_at"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? NextRunAt,
    [property: JsonPropertyName("last_run_at"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? LastRunAt,
    [property: JsonPropertyName("inactive_from"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? InactiveFrom);

public sealed record ScheduleOptions(
    [property: JsonPropertyName("tz")] string Tz,
    [property: JsonPropertyName("trigger_type")] string TriggerType,
    [property: JsonPropertyName("startDate"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? StartDate,
    [property: JsonPropertyName("endDate"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EndDate);

// The workflow of a listed schedule, expanded.
public sealed record ScheduledWorkflow(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("associated_application")] ScheduledWorkflowApp AssociatedApplication);

public sealed record ScheduledWorkflowApp(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("icon")] string Icon,
    [property: JsonPropertyName("description")] string Description);

// SC1's envelope: six of mongoose-paginate's fields (Paginated has them all).
public sealed record ScheduleListResponse(
    [property: JsonPropertyName("docs")] IReadOnlyList<ScheduleResponse> Docs,
    [property: JsonPropertyName("totalDocs")] long TotalDocs,
    [property: JsonPropertyName("limit")] int Limit,
    [property: JsonPropertyName("page")] int Page,
    [property: JsonPropertyName("totalPages")] long TotalPages,
    [property: JsonPropertyName("hasNextPage")] bool HasNextPage);

public sealed record ScheduleDeletedResponse([property: JsonPropertyName("message")] string Message);

// Create and update bodies (SC2, SC3), for the API reference; ScheduleInput parses them. `cron` schedules use
// `regex` (a cron expression), `interval` schedules `interval_dates`; update keeps what it is not sent.
public sealed record CreateScheduleRequest(
    [property: JsonPropertyName("trigger_type")] string TriggerType,
    [property: JsonPropertyName("regex")] string? Regex = null,
    [property: JsonPropertyName("interval_dates")] IReadOnlyList<ScheduleDate>? IntervalDates = null,
    [property: JsonPropertyName("startDate")] string? StartDate = null,
    [property: JsonPropertyName("endDate")] string? EndDate = null,
    [property: JsonPropertyName("tz")] string? Tz = null,
    [property: JsonPropertyName("payload")] JsonObject? Payload = null);

public sealed record UpdateScheduleRequest(
    [property: JsonPropertyName("trigger_type")] string? TriggerType = null,
    [property: JsonPropertyName("regex")] string? Regex = null,
    [property: JsonPropertyName("interval_dates")] IReadOnlyList<ScheduleDate>? IntervalDates = null,
    [property: JsonPropertyName("startDate")] string? StartDate = null,
    [property: JsonPropertyName("endDate")] string? EndDate = null,
    [property: JsonPropertyName("tz")] string? Tz = null,
    [property: JsonPropertyName("payload")] JsonObject? Payload = null);

public sealed record ScheduleDate(
    [property: JsonPropertyName("day")] int Day,
    [property: JsonPropertyName("month")] int Month,
    [property: JsonPropertyName("year")] int Year,
    [property: JsonPropertyName("hour")] int Hour,
    [property: JsonPropertyName("minute")] int Minute);

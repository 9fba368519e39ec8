using System.Text.Json.Nodes;

namespace Patchbay.Schedules;

// A schedule's state: it fires while running and not while paused.
public static class ScheduleStatuses
{
    public const string Running = "running";
    public const string Paused = "paused";
}

// What times a schedule: a cron expression in a time zone, or a list of dates (`interval_dates`).
public static class ScheduleTriggerTypes
{
    public const string Cron = "cron";
    public const string Interval = "interval";

    public static bool IsKnown(string? type) => type is Cron or Interval;
}

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
    public string? StartDate { get; init; } // yyyy-MM-dd, a day in Tz
    public string? EndDate { get; init; }
    public required string IntervalDates { get; init; } // JSON: the client's list of {day, month, year, hour, minute}
    public required string Payload { get; init; } // JSON object
    public required string Status { get; init; }
    public DateTimeOffset? NextRunAt { get; init; }
    public string? LeaseOwner { get; init; }
    public DateTimeOffset? LeaseUntil { get; init; }
    public DateTimeOffset? LastRunAt { get; init; }
    public DateTimeOffset? InactiveFrom { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    // `workflow` is the workflow's id, or its summary in a list.
    public ScheduleResponse ToResponse(ScheduledWorkflow? workflow = null) => new(
        Id, Id, EventId, workflow ?? (object)WorkflowId, ConfigId, AccountId, Environment, OrgId, TriggerType, Cron,
        JsonNode.Parse(IntervalDates), Status, Inactive: Status == ScheduleStatuses.Paused, RegisteredByApi: true,
        new ScheduleOptions(Tz, TriggerType, StartDate, EndDate), JsonNode.Parse(Payload), CreatedAt, UpdatedAt, TriggeredInstances: [],
        NextRunAt, LastRunAt, InactiveFrom);
}

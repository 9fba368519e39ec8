using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cronos;
using Patchbay.Http;
using Patchbay.Workflows.Engine;

namespace Patchbay.Schedules;

// The body of register and update (SC2, SC3): {trigger_type, regex (the cron expression), tz, startDate, endDate,
// interval_dates, payload}. A field left out keeps the schedule's current value; `payload` and `interval_dates` are
// the client's JSON.
public static class ScheduleInput
{
    public static Task<JsonObject> ReadAsync(HttpContext http) => JsonBody.ReadNodeAsync(http, required: false);

    public static bool HasTriggerType(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return WorkflowDefinition.Text(body["trigger_type"]) is not null;
    }

    // Reads and checks the timing fields onto a schedule; the next run is computed from now.
    public static ScheduleRow ApplyTo(ScheduleRow s, JsonObject body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(body);
        var type = WorkflowDefinition.Text(body["trigger_type"]) ?? s.TriggerType;
        if (!ScheduleTriggerTypes.IsKnown(type)) throw new ApiException(ApiError.BadRequest(ErrorCodes.ServerError, "trigger_type is required"));
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
        if (type == ScheduleTriggerTypes.Cron)
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
            TriggerType = type, Tz = tz, Cron = type == ScheduleTriggerTypes.Cron ? cron : null,
            IntervalDates = type == ScheduleTriggerTypes.Interval ? intervals : "[]",
            StartDate = Day("startDate", s.StartDate), EndDate = Day("endDate", s.EndDate), Payload = payload, UpdatedAt = now,
        };
        return updated with { NextRunAt = updated.Status == ScheduleStatuses.Running ? ScheduleTimes.Next(updated, now) : null };
    }
}

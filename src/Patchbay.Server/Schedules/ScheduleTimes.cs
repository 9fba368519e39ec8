using System.Globalization;
using System.Text.Json.Nodes;
using Cronos;

namespace Patchbay.Schedules;

// When a schedule fires next: a cron expression (5 fields, or 6 with seconds) in a time zone between optional start
// and end dates, or a list of dates and times. Pure.
public static class ScheduleTimes
{
    public static CronExpression ParseCron(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var trimmed = expression.Trim();
        return CronExpression.Parse(trimmed, trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
    }

    public static DateTimeOffset? Next(ScheduleRow s, DateTimeOffset after)
    {
        ArgumentNullException.ThrowIfNull(s);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(s.Tz);
        DateTimeOffset? endAt = s.EndDate is null ? null : LocalDay(s.EndDate, zone).AddDays(1);
        DateTimeOffset? next;
        if (s.TriggerType == ScheduleTriggerTypes.Cron)
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

    // The instants of `interval_dates` (items {day, month, year, hour, minute, second?}, or {date: {…}}), read as local
    // times in `zone`. Throws ArgumentException for a date that does not exist.
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

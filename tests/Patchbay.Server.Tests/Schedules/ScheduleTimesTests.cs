using Cronos;
using Patchbay.Schedules;
using Xunit;

namespace Patchbay.Tests.Schedules;

// When a schedule fires next, without a database: cron in a time zone (across DST changes), interval dates, and the
// start and end dates that bound both.
public sealed class ScheduleTimesTests
{
    static DateTimeOffset Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        new(year, month, day, hour, minute, second, TimeSpan.Zero);

    static ScheduleRow Row(string type, string tz, string? cron = null, string intervals = "[]", string? start = null, string? end = null) => new()
    {
        Id = "s", EventId = "e", OrgId = "o", Environment = "test", LinkedAccountRowId = "l", AccountId = "a", ConfigId = "a", WorkflowId = "w",
        Slug = "custom", TriggerType = type, Cron = cron, Tz = tz, StartDate = start, EndDate = end, IntervalDates = intervals, Payload = "{}",
        Status = ScheduleStatuses.Running,
    };

    static ScheduleRow Cron(string cron, string tz = "UTC", string? start = null, string? end = null) =>
        Row(ScheduleTriggerTypes.Cron, tz, cron: cron, start: start, end: end);

    static ScheduleRow Interval(string intervals, string tz = "UTC", string? start = null, string? end = null) =>
        Row(ScheduleTriggerTypes.Interval, tz, intervals: intervals, start: start, end: end);

    [Fact]
    public void Cron_FiveFields_IsReadInTheTimeZone_SummerAndWinter()
    {
        var daily = Cron("0 9 * * *", "Europe/Paris");
        Assert.Equal(Utc(2030, 1, 15, 8), ScheduleTimes.Next(daily, Utc(2030, 1, 15, 0))); // CET, +01:00
        Assert.Equal(Utc(2030, 7, 15, 7), ScheduleTimes.Next(daily, Utc(2030, 7, 15, 0))); // CEST, +02:00
        Assert.Equal(Utc(2030, 7, 15, 13), ScheduleTimes.Next(Cron("0 9 * * *", "America/New_York"), Utc(2030, 7, 15, 0))); // EDT, -04:00
    }

    [Fact]
    public void Cron_IsExclusiveOfTheInstantItStartsFrom()
    {
        var daily = Cron("0 9 * * *");
        Assert.Equal(Utc(2030, 1, 16, 9), ScheduleTimes.Next(daily, Utc(2030, 1, 15, 9)));
        Assert.Equal(Utc(2030, 1, 15, 9), ScheduleTimes.Next(daily, Utc(2030, 1, 15, 8, 59, 59)));
    }

    [Fact]
    public void Cron_SixFields_HasSeconds()
    {
        Assert.Equal(Utc(2030, 1, 15, 0, 0, 10), ScheduleTimes.Next(Cron("*/10 * * * * *"), Utc(2030, 1, 15, 0, 0, 1)));
        Assert.Equal(Utc(2030, 1, 15, 0, 5), ScheduleTimes.Next(Cron(" */5 * * * * "), Utc(2030, 1, 15, 0, 1))); // trimmed, five fields
    }

    [Theory]
    [InlineData("every day")]
    [InlineData("* * * *")]
    [InlineData("61 * * * *")]
    public void ParseCron_RefusesWhatIsNotCron(string expression) =>
        Assert.Throws<CronFormatException>(() => ScheduleTimes.ParseCron(expression));

    [Fact]
    public void Cron_SpringForward_ATimeInTheGapRunsAtTheTransition()
    {
        // Europe/Paris, 2030-03-31: 02:00 CET becomes 03:00 CEST, so 02:30 does not exist that day.
        var at0230 = Cron("30 2 * * *", "Europe/Paris");
        Assert.Equal(Utc(2030, 3, 30, 1, 30), ScheduleTimes.Next(at0230, Utc(2030, 3, 30, 0)));
        Assert.Equal(Utc(2030, 3, 31, 1), ScheduleTimes.Next(at0230, Utc(2030, 3, 30, 1, 30))); // 03:00 CEST
        Assert.Equal(Utc(2030, 4, 1, 0, 30), ScheduleTimes.Next(at0230, Utc(2030, 3, 31, 1))); // 02:30 CEST
    }

    [Fact]
    public void Cron_FallBack_ADailyTimeRunsOnce_AnIntervalRunsInBothHours()
    {
        // Europe/Paris, 2030-10-27: 03:00 CEST becomes 02:00 CET, so 02:00–02:59 happens twice.
        var at0230 = Cron("30 2 * * *", "Europe/Paris");
        Assert.Equal(Utc(2030, 10, 27, 0, 30), ScheduleTimes.Next(at0230, Utc(2030, 10, 26, 12))); // 02:30 CEST
        Assert.Equal(Utc(2030, 10, 28, 1, 30), ScheduleTimes.Next(at0230, Utc(2030, 10, 27, 0, 30))); // not 02:30 CET again

        var halfHourly = Cron("*/30 * * * *", "Europe/Paris");
        var runs = new List<DateTimeOffset>();
        var after = Utc(2030, 10, 26, 23, 59);
        for (var i = 0; i < 5; i++) runs.Add(after = ScheduleTimes.Next(halfHourly, after)!.Value);
        Assert.Equal([Utc(2030, 10, 27, 0), Utc(2030, 10, 27, 0, 30), Utc(2030, 10, 27, 1), Utc(2030, 10, 27, 1, 30), Utc(2030, 10, 27, 2)], runs);
    }

    [Fact]
    public void StartDate_IsLocalMidnight_Inclusive()
    {
        var midnight = Cron("0 0 * * *", "Europe/Paris", start: "2030-03-30");
        Assert.Equal(Utc(2030, 3, 29, 23), ScheduleTimes.Next(midnight, Utc(2030, 1, 1))); // 2030-03-30 00:00 CET
        var noon = Cron("0 12 * * *", "Europe/Paris", start: "2030-03-30");
        Assert.Equal(Utc(2030, 4, 2, 10), ScheduleTimes.Next(noon, Utc(2030, 4, 1, 12))); // a start in the past changes nothing
    }

    [Fact]
    public void EndDate_IncludesItsWholeDay_ThenThereIsNoNextRun()
    {
        var daily = Cron("0 23 * * *", "Europe/Paris", end: "2030-07-15");
        Assert.Equal(Utc(2030, 7, 15, 21), ScheduleTimes.Next(daily, Utc(2030, 7, 15, 12))); // 23:00 CEST on the end day
        Assert.Null(ScheduleTimes.Next(daily, Utc(2030, 7, 15, 21)));
        var between = Cron("0 12 * * *", "UTC", start: "2030-07-20", end: "2030-07-10");
        Assert.Null(ScheduleTimes.Next(between, Utc(2030, 1, 1)));
    }

    [Fact]
    public void Interval_TheEarliestDateStrictlyAfter_InTheTimeZone()
    {
        const string dates = """
            [{"day": 3, "month": 2, "year": 2031, "hour": 10, "minute": 0},
             {"date": {"day": 1, "month": 2, "year": 2031, "hour": 9, "minute": 30, "second": 15}},
             null,
             {"day": 1, "month": 7, "year": 2031, "hour": 9, "minute": 0}]
            """;
        var paris = Interval(dates, "Europe/Paris");
        Assert.Equal(new DateTimeOffset(2031, 2, 1, 8, 30, 15, TimeSpan.Zero), ScheduleTimes.Next(paris, Utc(2031, 1, 1)));
        Assert.Equal(Utc(2031, 2, 3, 9), ScheduleTimes.Next(paris, new DateTimeOffset(2031, 2, 1, 8, 30, 15, TimeSpan.Zero)));
        Assert.Equal(Utc(2031, 7, 1, 7), ScheduleTimes.Next(paris, Utc(2031, 2, 3, 9))); // CEST
        Assert.Null(ScheduleTimes.Next(paris, Utc(2031, 7, 1, 7)));
    }

    [Fact]
    public void Interval_MissingFieldsDefault_ToTheFirstDayAndMidnight()
    {
        var instants = ScheduleTimes.Dates("""[{"year": 2031}, {"year": 2031, "month": 5}]""", TimeZoneInfo.Utc).ToList();
        Assert.Equal([Utc(2031, 1, 1), Utc(2031, 5, 1)], instants);
    }

    [Fact]
    public void Interval_ALocalTimeInTheSpringGap_TakesTheStandardOffset()
    {
        // 02:30 does not exist in Paris on 2030-03-31; read with the standard offset it is 01:30 UTC (03:30 CEST).
        var gap = Interval("""[{"day": 31, "month": 3, "year": 2030, "hour": 2, "minute": 30}]""", "Europe/Paris");
        Assert.Equal(Utc(2030, 3, 31, 1, 30), ScheduleTimes.Next(gap, Utc(2030, 1, 1)));
    }

    [Fact]
    public void Interval_StartAndEndDates_BoundTheDates()
    {
        const string dates = """[{"day": 1, "month": 3, "year": 2031, "hour": 12}, {"day": 1, "month": 6, "year": 2031, "hour": 12}]""";
        Assert.Equal(Utc(2031, 3, 1, 12), ScheduleTimes.Next(Interval(dates, end: "2031-03-01"), Utc(2031, 1, 1)));
        Assert.Null(ScheduleTimes.Next(Interval(dates, end: "2031-02-28"), Utc(2031, 1, 1)));
        Assert.Null(ScheduleTimes.Next(Interval(dates, end: "2031-05-31"), Utc(2031, 3, 1, 12)));
    }

    [Fact]
    public void Interval_ADateThatDoesNotExist_OrAnItemThatIsNotAnObject_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => ScheduleTimes.Dates("""["2031-01-01"]""", TimeZoneInfo.Utc).ToList());
        Assert.ThrowsAny<ArgumentException>(() => ScheduleTimes.Dates("""[{"day": 30, "month": 2, "year": 2031}]""", TimeZoneInfo.Utc).ToList());
        Assert.ThrowsAny<ArgumentException>(() => ScheduleTimes.Dates("""[{"day": 1, "month": 1, "year": 2031, "hour": 24}]""", TimeZoneInfo.Utc).ToList());
    }
}

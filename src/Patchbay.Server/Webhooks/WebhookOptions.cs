using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Patchbay.Configuration;

namespace Patchbay.Webhooks;

public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Patchbay:Webhooks";

    /// <summary>How long one attempt may take, connection to response headers and the first 1 KB of the body.</summary>
    [Duration("00:00:00.100", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Delays between attempts (the first attempt is immediate), comma-separated durations. The default
    /// follows Standard Webhooks' guidance: 8 attempts, the last 27 h 35 min after the first (a little over a day); an
    /// org may set its own.</summary>
    public string RetrySchedule { get; set; } = "00:00:05,00:05:00,00:30:00,02:00:00,05:00:00,10:00:00,10:00:00";

    /// <summary>A subscription failing without a success for this long is disabled (and the disabling is reported).</summary>
    [Duration("00:01:00", "365.00:00:00")]
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>Delivered and failed messages are deleted this long after their last attempt.</summary>
    [Duration("00:01:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>After a secret rotation, the previous secret keeps signing alongside the new one this long.</summary>
    [Duration("00:00:00", "30.00:00:00")]
    public TimeSpan SecretOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often a node looks for due messages.</summary>
    [Duration("00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Attempts one node has in flight at most (a slow receiver holds only its own).</summary>
    [Between(1, 10_000)]
    public int MaxConcurrency { get; set; } = 256;

    [Between(1, 10_000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>Failed messages one call of the recover route queues again at most (it answers `has_more` when more
    /// remain), so that one call stays one short transaction.</summary>
    [Between(1, 100_000)]
    public int RecoverPerCall { get; set; } = 1000;

    public IReadOnlyList<TimeSpan> Schedule() => ParseSchedule(RetrySchedule) ?? [];

    public static IReadOnlyList<TimeSpan>? ParseSchedule(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var delays = new List<TimeSpan>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TimeSpan.TryParse(part, CultureInfo.InvariantCulture, out var delay) || delay < TimeSpan.Zero || delay > TimeSpan.FromDays(7)) return null;
            delays.Add(delay);
        }
        return delays.Count <= RetrySchedules.MaxRetries ? delays : null;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ParseSchedule(RetrySchedule) is null)
            yield return new ValidationResult($"must be at most {RetrySchedules.MaxRetries} comma-separated durations between 00:00:00 and 7.00:00:00", [nameof(RetrySchedule)]);
    }
}

// Named retry schedules an org may pick instead of a list of delays.
public static class RetrySchedules
{
    public const int MaxRetries = 20;

    // Standard Webhooks' guidance: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after the first attempt.
    public const string Standard = "standard";

    // Refold's own behaviour: 3 retries with exponential backoff (its documentation gives no delays; 1, 2 and 4 min).
    public const string Refold = "refold";

    public static readonly IReadOnlyList<TimeSpan> StandardDelays =
        [TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10)];

    public static readonly IReadOnlyList<TimeSpan> RefoldDelays = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(4)];
}

using Patchbay.Configuration;

namespace Patchbay.Audit;

public sealed class AuditOptions
{
    public const string Section = "Patchbay:Audit";

    /// <summary>Entries older than this many days are deleted.</summary>
    [Between(1, 36_500)]
    public int RetentionDays { get; set; } = 90;

    /// <summary>How often a node deletes expired entries.</summary>
    [Duration("00:00:01", "1.00:00:00")]
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);
}

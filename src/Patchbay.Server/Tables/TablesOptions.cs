using System.ComponentModel.DataAnnotations;
using Patchbay.Configuration;

namespace Patchbay.Tables;

// Refold caps a table at 20 columns and 10,000 rows; those are the defaults so that a client written against Refold
// sees the same answers. The store itself serves a million rows of a hundred columns (docs/data.md).
public sealed class TablesOptions
{
    public const string Section = "Patchbay:Tables";

    /// <summary>Most columns one table may have.</summary>
    [Range(1, 1000)]
    public int MaxColumns { get; set; } = 20;

    /// <summary>Most records one table may hold.</summary>
    [Range(1, 100_000_000)]
    public int MaxRows { get; set; } = 10_000;

    /// <summary>Most records one request (or one workflow node) may add.</summary>
    [Range(1, 1_000_000)]
    public int MaxBatch { get; set; } = 10_000;

    /// <summary>Largest record, as stored JSON, in bytes.</summary>
    [Range(64, 16 << 20)]
    public int MaxRecordBytes { get; set; } = 64 << 10;

    /// <summary>Longest search pattern (regex) in characters.</summary>
    [Range(1, 10_000)]
    public int MaxPatternLength { get; set; } = 500;

    /// <summary>How long one regex may spend on one value.</summary>
    [Duration("00:00:00.001", "00:00:10")]
    public TimeSpan RegexMatchTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long one search may take before it is answered with a 400 that asks for a narrower pattern.</summary>
    [Duration("00:00:00.050", "00:05:00")]
    public TimeSpan SearchTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most records one search returns.</summary>
    [Range(1, 1_000_000)]
    public int MaxSearchResults { get; set; } = 10_000;
}

using Patchbay.Configuration;

namespace Patchbay.Mcp;

public sealed class McpOptions
{
    public const string Section = "Patchbay:Mcp";

    /// <summary>How long a person has to approve a tool call a safe-mode server holds; unanswered, it never runs.</summary>
    [Duration("00:01:00", "30.00:00:00")]
    public TimeSpan ApprovalLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the approval worker looks for answered or expired approvals.</summary>
    [Duration("00:00:00.050", "00:10:00")]
    public TimeSpan ApprovalPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Tool calls per second each linked account may make, across its servers (unset: the account's API rate,
    /// Patchbay:RateLimits:PermitsPerSecond).</summary>
    [Between(0.001, 1_000_000_000)]
    public double? ToolCallsPerSecond { get; set; }

    /// <summary>Tool calls an account may make at once (unset: Patchbay:RateLimits:Burst).</summary>
    [Between(1, 1_000_000_000)]
    public int? ToolCallBurst { get; set; }
}

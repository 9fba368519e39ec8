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
}

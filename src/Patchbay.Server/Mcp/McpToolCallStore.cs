using Patchbay.Data;

namespace Patchbay.Mcp;

// How a tool call ended, as the log records it.
public static class McpCallStatus
{
    public const string Success = "success";
    public const string Error = "error";
    public const string Held = "held";             // a safe-mode write waiting for a person's approval
    public const string RateLimited = "rate_limited";
    public const string Approved = "approved";     // a held call, run after approval
    public const string Rejected = "rejected";
    public const string Delivered = "delivered";   // a retried held call, answered with the outcome of its approved run
}

public sealed record McpToolCallRow
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public required string LinkedAccountRowId { get; init; }
    public required string ServerId { get; init; }
    public required string Tool { get; init; }
    public required string Status { get; init; }
    public long DurationMs { get; init; }
    public string? Error { get; init; }
    public string? ApprovalId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string AccountId { get; init; } = "";

    public McpToolCallResponse ToResponse() => new(Id, ServerId, AccountId, Tool, Status, DurationMs, Error, ApprovalId, CreatedAt);
}

// All SQL of the tool-call log.
public sealed class McpToolCallStore(Db db)
{
    // An error message is kept short: it names what failed, and never carries arguments.
    public const int MaxError = 500;

    public Task InsertAsync(McpToolCallRow row, CancellationToken ct) =>
        db.ExecuteAsync("""
            insert into mcp_tool_calls (id, org_id, environment, linked_account_row_id, server_id, tool, status, duration_ms, error, approval_id, created_at)
            values (@Id, @OrgId, @Environment, @LinkedAccountRowId, @ServerId, @Tool, @Status, @DurationMs, @Error, @ApprovalId, @CreatedAt)
            """, row with { Error = row.Error is { Length: > MaxError } e ? e[..MaxError] : row.Error }, ct);

    // A server's calls for its account, newest first.
    public static async Task<(IReadOnlyList<McpToolCallRow> Rows, long Total)> ListAsync(DbTx tx, string accountRowId, string serverId, int offset, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var args = new { accountRowId, serverId, offset, limit };
        var total = await tx.ExecuteScalarAsync<long>(
            "select count(*) from mcp_tool_calls where server_id = @serverId and linked_account_row_id = @accountRowId", args, ct);
        var rows = await tx.QueryAsync<McpToolCallRow>("""
            select c.id, c.org_id, c.environment, c.linked_account_row_id, c.server_id, c.tool, c.status, c.duration_ms, c.error, c.approval_id,
                   c.created_at, la.account_id
            from mcp_tool_calls c join linked_accounts la on la.id = c.linked_account_row_id
            where c.server_id = @serverId and c.linked_account_row_id = @accountRowId
            order by c.created_at desc, c.id desc limit @limit offset @offset
            """, args, ct);
        return (rows, total);
    }
}

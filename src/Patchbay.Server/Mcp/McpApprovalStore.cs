using Patchbay.Data;

namespace Patchbay.Mcp;

// `status` of a held call: it moves once out of PENDING.
public static class McpApprovalStatus
{
    public const string Pending = "PENDING";
    public const string Running = "RUNNING";
    public const string Done = "DONE";
    public const string Failed = "FAILED";
    public const string Rejected = "REJECTED";
    public const string Expired = "EXPIRED";
}

public sealed record McpApprovalRow
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public required string LinkedAccountRowId { get; init; }
    public required string ServerId { get; init; }
    public required string Tool { get; init; }
    public required string Arguments { get; init; }
    public required string TaskHash { get; init; }
    public required string TaskRef { get; init; }
    public required string Fingerprint { get; init; }
    public required string Status { get; init; }
    public string? Result { get; init; }
    public bool Delivered { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

// All SQL of held calls. The approval worker claims the ones whose human task was answered or expired (LeasedWork);
// a held call runs only after the conditional PENDING → RUNNING update succeeds, so it runs at most once, on any
// number of servers.
public sealed class McpApprovalStore(Db db)
{
    public const string Columns =
        "id, org_id, environment, linked_account_row_id, server_id, tool, arguments, task_hash, task_ref, fingerprint, status, result, delivered, created_at, updated_at";

    public static readonly LeasedWork Decided = new("mcp_approvals",
        $"""
        status = '{McpApprovalStatus.Pending}' and exists (select 1 from human_tasks h where h.id = mcp_approvals.task_hash
            and (h.status <> '{HumanTasks.HumanTaskStatus.Waiting}' or h.expires_at <= @now))
        """,
        "created_at");

    public static Task InsertAsync(DbTx tx, McpApprovalRow row, CancellationToken ct) =>
        tx.ExecuteAsync($"""
            insert into mcp_approvals ({Columns})
            values (@Id, @OrgId, @Environment, @LinkedAccountRowId, @ServerId, @Tool, @Arguments, @TaskHash, @TaskRef, @Fingerprint, @Status, @Result,
                    @Delivered, @CreatedAt, @UpdatedAt)
            """, row, ct);

    public Task<IReadOnlyList<McpApprovalRow>> ClaimDecidedAsync(string owner, DateTimeOffset now, TimeSpan lease, int batch, CancellationToken ct) =>
        Decided.ClaimAsync<McpApprovalRow>(db, owner, now, lease, batch, ct, returning: Columns);

    // PENDING → `status` for the lease holder; false when someone else moved it first.
    public async Task<bool> MoveAsync(string id, string owner, string status, DateTimeOffset now, CancellationToken ct) =>
        await db.ExecuteAsync($"""
            update mcp_approvals set status = @status, updated_at = @now
            where id = @id and lease_owner = @owner and status = '{McpApprovalStatus.Pending}'
            """, new { id, owner, status, now }, ct) == 1;

    public Task FinishAsync(string id, string status, string? result, DateTimeOffset now, CancellationToken ct) =>
        db.ExecuteAsync("""
            update mcp_approvals set status = @status, result = @result, updated_at = @now, lease_owner = null, lease_until = null where id = @id
            """, new { id, status, result, now }, ct);

    // The newest held call of this tool and these arguments whose outcome no retry has received yet.
    public Task<McpApprovalRow?> FindUndeliveredAsync(string serverId, string fingerprint, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<McpApprovalRow>($"""
            select {Columns} from mcp_approvals where server_id = @serverId and fingerprint = @fingerprint and not delivered
            order by created_at desc, id desc limit 1
            """, new { serverId, fingerprint }, ct);

    // Marks a settled call's outcome as handed to a retry; false when another retry got it first.
    public async Task<bool> DeliverAsync(string id, CancellationToken ct) =>
        await db.ExecuteAsync($"""
            update mcp_approvals set delivered = true
            where id = @id and not delivered and status not in ('{McpApprovalStatus.Pending}', '{McpApprovalStatus.Running}')
            """, new { id }, ct) == 1;

    public Task<McpApprovalRow?> GetAsync(string serverId, string id, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<McpApprovalRow>($"select {Columns} from mcp_approvals where id = @id and server_id = @serverId", new { id, serverId }, ct);
}

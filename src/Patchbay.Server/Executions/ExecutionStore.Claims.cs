using Patchbay.Data;

namespace Patchbay.Executions;

// Workers claim due executions with a lease (LeasedWork: FOR UPDATE SKIP LOCKED on PostgreSQL) and renew it while
// they run them; a server that dies leaves leases that expire, and the executions come due again.
public sealed partial class ExecutionStore
{
    // Executions come due at run_at (new, retried, resumed after a delay or a webhook).
    static readonly LeasedWork Due = new("executions", "run_at <= @now", "run_at");

    public Task<IReadOnlyList<ExecutionRow>> ClaimAsync(string owner, DateTimeOffset now, DateTimeOffset until, int limit, CancellationToken ct) =>
        Due.ClaimAsync<ExecutionRow>(db, owner, now, until - now, limit, ct, returning: Columns);

    // Only the executions still running here: one that this server dropped must not be kept from the others.
    public Task<int> RenewLeasesAsync(string owner, string[] ids, DateTimeOffset until, CancellationToken ct) =>
        Due.RenewAsync(db, owner, ids, until, ct);

    // Hands the lease back (the server is stopping, or the database failed under the execution): another worker
    // takes it at its next poll.
    public Task<int> ReleaseLeaseAsync(string owner, string id, CancellationToken ct) => Due.ReleaseAsync(db, owner, [id], ct);
}

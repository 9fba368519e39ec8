using Patchbay.Audit;
using Patchbay.Data;
using Patchbay.Http;

namespace Patchbay.Schedules;

public sealed class ScheduleStore(Db db)
{
    const string Columns = """
        id, event_id, org_id, environment, linked_account_row_id, account_id, config_id, workflow_id, slug, trigger_type, cron, tz, start_date, end_date,
        interval_dates, payload, status, next_run_at, lease_owner, lease_until, last_run_at, inactive_from, created_at, updated_at
        """;

    // Running schedules whose next run has come (ScheduleWorker).
    static readonly LeasedWork Due = new("schedules", $"status = '{ScheduleStatuses.Running}' and next_run_at <= @now", "next_run_at");

    public Task<ScheduleRow?> FindAsync(string id, string accountRowId, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<ScheduleRow>($"select {Columns} from schedules where id = @id and linked_account_row_id = @accountRowId",
            new { id, accountRowId }, ct);

    // An account's schedules, newest first, and how many it has.
    public Task<(IReadOnlyList<ScheduleRow> Rows, long Total)> ListAsync(string accountRowId, Page page, CancellationToken ct) =>
        db.WithConnectionAsync(async c =>
        {
            var rows = await c.QueryAsync<ScheduleRow>($"""
                select {Columns} from schedules where linked_account_row_id = @accountRowId order by created_at desc, id desc limit @Limit offset @Offset
                """, new { accountRowId, page.Limit, page.Offset }, ct);
            var total = await c.ExecuteScalarAsync<long>("select count(*) from schedules where linked_account_row_id = @accountRowId", new { accountRowId }, ct);
            return (rows, total);
        }, ct);

    public Task InsertAsync(ScheduleRow row, CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync($"""
                insert into schedules ({Columns})
                values (@Id, @EventId, @OrgId, @Environment, @LinkedAccountRowId, @AccountId, @ConfigId, @WorkflowId, @Slug, @TriggerType, @Cron, @Tz, @StartDate,
                        @EndDate, @IntervalDates, @Payload, @Status, @NextRunAt, @LeaseOwner, @LeaseUntil, @LastRunAt, @InactiveFrom, @CreatedAt, @UpdatedAt)
                """, row, ct);
            await AuditLog.RecordAsync(tx, Audited(row, AuditEvents.ScheduleCreated), row.CreatedAt, ct);
        }, ct);

    // The audit entry: which workflow and config it runs and when (never its payload).
    static AuditChange Audited(ScheduleRow row, string auditEvent) =>
        new(row.OrgId, row.Environment, auditEvent, AuditResources.Schedule, row.Id, row.AccountId,
            new { row.WorkflowId, row.ConfigId, row.Slug, row.TriggerType, row.Cron, row.Tz });

    // Saves what the API changes: timing, payload, status and the next run (a lease the worker holds is left alone).
    public Task<int> UpdateAsync(ScheduleRow row, CancellationToken ct) =>
        db.ExecuteAsync("""
            update schedules set trigger_type = @TriggerType, cron = @Cron, tz = @Tz, start_date = @StartDate, end_date = @EndDate,
                interval_dates = @IntervalDates, payload = @Payload, status = @Status, next_run_at = @NextRunAt, inactive_from = @InactiveFrom, updated_at = @UpdatedAt
            where id = @Id
            """, row, ct);

    public Task<int> DeleteAsync(ScheduleRow row, DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
        {
            var deleted = await tx.ExecuteAsync("delete from schedules where id = @Id", new { row.Id }, ct);
            if (deleted > 0) await AuditLog.RecordAsync(tx, Audited(row, AuditEvents.ScheduleDeleted), now, ct);
            return deleted;
        }, ct);

    public Task<IReadOnlyList<ScheduleRow>> ClaimDueAsync(string owner, DateTimeOffset now, TimeSpan lease, int batch, CancellationToken ct) =>
        Due.ClaimAsync<ScheduleRow>(db, owner, now, lease, batch, ct);

    // After a run started (or found no published version): the next occurrence, or none, and the lease handed back.
    public static Task<int> AdvanceAsync(DbTx tx, string id, string owner, DateTimeOffset? next, DateTimeOffset now, CancellationToken ct) =>
        tx.ExecuteAsync("""
            update schedules set next_run_at = @next, last_run_at = @now, lease_owner = null, lease_until = null where id = @id and lease_owner = @owner
            """, new { id, owner, next, now }, ct);

    // A schedule that could not start its run is paused, and its lease handed back.
    public Task<int> PauseFailedAsync(string id, DateTimeOffset now, CancellationToken ct) =>
        db.ExecuteAsync("""
            update schedules set status = @paused, next_run_at = null, inactive_from = @now, lease_owner = null, lease_until = null where id = @id
            """, new { id, now, paused = ScheduleStatuses.Paused }, ct);
}

using Patchbay.Data;

namespace Patchbay.Webhooks;

public sealed record WebhookSettingsRow
{
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public string? RetrySchedule { get; init; }
    public long? DisableAfterSeconds { get; init; }
    public long? RetentionSeconds { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed partial class WebhookStore
{
    const string SettingsColumns = "org_id, environment, retry_schedule, disable_after_seconds, retention_seconds, updated_at";

    public Task<WebhookSettingsRow?> GetSettingsAsync(string orgId, string environment, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<WebhookSettingsRow>(
            $"select {SettingsColumns} from webhook_settings where org_id = @orgId and environment = @environment", new { orgId, environment }, ct);

    public Task<IReadOnlyList<WebhookSettingsRow>> SettingsForAsync(IReadOnlyCollection<string> orgIds, CancellationToken ct) =>
        orgIds.Count == 0
            ? Task.FromResult<IReadOnlyList<WebhookSettingsRow>>([])
            : db.QueryAsync<WebhookSettingsRow>($"select {SettingsColumns} from webhook_settings where {db.Dialect.InList("org_id", "orgIds")}",
                new { orgIds = orgIds.ToArray() }, ct);

    public Task UpsertSettingsAsync(WebhookSettingsRow row, CancellationToken ct) =>
        db.ExecuteAsync($"""
            insert into webhook_settings ({SettingsColumns})
            values (@OrgId, @Environment, @RetrySchedule, @DisableAfterSeconds, @RetentionSeconds, @UpdatedAt)
            on conflict (org_id, environment) do update set retry_schedule = excluded.retry_schedule,
                disable_after_seconds = excluded.disable_after_seconds, retention_seconds = excluded.retention_seconds, updated_at = excluded.updated_at
            """, row, ct);

    sealed record Throttle
    {
        public DateTimeOffset? ThrottleAt { get; init; }
    }

    // Reserves send slots of a subscription limited to `rate` per second, for up to `count` messages: slots are 1/rate
    // apart and start at the subscription's next free slot, which lives in the database so that every node draws from
    // the same budget. Only slots within the coming second are handed out, so in any one-second window at most `rate`
    // sends start. Returns the slots, and when the next one is free (for the messages left without one).
    public Task<(IReadOnlyList<DateTimeOffset> Slots, DateTimeOffset Next)> ReserveSlotsAsync(string webhookId, int rate, int count,
        DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
        {
            await tx.Dialect.LockRowAsync(tx, "webhooks", webhookId, ct);
            var row = await tx.QueryFirstOrDefaultAsync<Throttle>("select throttle_at from webhooks where id = @webhookId", new { webhookId }, ct);
            var spacing = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / rate);
            var at = row?.ThrottleAt is { } t && t > now ? t : now;
            var horizon = now + TimeSpan.FromSeconds(1);
            var slots = new List<DateTimeOffset>();
            while (slots.Count < count && at < horizon)
            {
                slots.Add(at);
                at += spacing;
            }
            if (slots.Count > 0) await tx.ExecuteAsync("update webhooks set throttle_at = @at where id = @webhookId", new { webhookId, at }, ct);
            return ((IReadOnlyList<DateTimeOffset>)slots, at);
        }, ct);

    sealed record Retention
    {
        public required string OrgId { get; init; }
        public required string Environment { get; init; }
        public long RetentionSeconds { get; init; }
    }

    // Deletes up to `limit` finished messages (with their attempts) whose last change is older than their org's
    // retention, or `defaultRetention` where the org set none. Returns how many.
    public async Task<int> DeleteExpiredAsync(DateTimeOffset now, TimeSpan defaultRetention, int limit, CancellationToken ct)
    {
        var custom = await db.QueryAsync<Retention>(
            "select org_id, environment, retention_seconds from webhook_settings where retention_seconds is not null", null, ct);
        var deleted = 0;
        foreach (var r in custom)
        {
            deleted += await DeleteFinishedAsync("w.org_id = @OrgId and w.environment = @Environment",
                new { r.OrgId, r.Environment, cutoff = now - TimeSpan.FromSeconds(r.RetentionSeconds), limit, pending = MessageStatuses.Pending }, ct);
        }
        deleted += await DeleteFinishedAsync("""
            not exists (select 1 from webhook_settings s where s.org_id = w.org_id and s.environment = w.environment and s.retention_seconds is not null)
            """, new { cutoff = now - defaultRetention, limit, pending = MessageStatuses.Pending }, ct);
        return deleted;
    }

    Task<int> DeleteFinishedAsync(string which, object args, CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
        {
            var ids = await tx.QueryAsync<string>($"""
                select m.id from webhook_messages m join webhooks w on w.id = m.webhook_id
                where {which} and m.status <> @pending and m.updated_at < @cutoff
                order by m.updated_at limit @limit
                """, args, ct);
            if (ids.Count == 0) return 0;
            var list = new { ids = ids.ToArray() };
            await tx.ExecuteAsync($"delete from webhook_attempts where {tx.Dialect.InList("message_id", "ids")}", list, ct);
            return await tx.ExecuteAsync($"delete from webhook_messages where {tx.Dialect.InList("id", "ids")}", list, ct);
        }, ct);
}

public sealed partial class WebhookStore
{
    // For `{{linked_account_name}}` in templates.
    public static Task<string?> LinkedAccountNameAsync(DbTx tx, string orgId, string environment, string accountId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.QueryFirstOrDefaultAsync<string>(
            "select name from linked_accounts where org_id = @orgId and environment = @environment and account_id = @accountId",
            new { orgId, environment, accountId }, ct);
    }
}

using Patchbay.Data;
using Patchbay.Http;

namespace Patchbay.Webhooks;

public sealed record WebhookMessageRow
{
    public required string Id { get; init; }
    public required string WebhookId { get; init; }
    public required string EventId { get; init; }
    public required string EventType { get; init; }
    public required string Body { get; init; }
    public string? Headers { get; init; }
    public required string Status { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }
    public int? LastResponseStatus { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed record WebhookAttemptRow
{
    public required string Id { get; init; }
    public required string MessageId { get; init; }
    public DateTimeOffset AttemptedAt { get; init; }
    public required string Status { get; init; }
    public int? ResponseStatus { get; init; }
    public int DurationMs { get; init; }
    public string? ResponseBody { get; init; }
    public string? Error { get; init; }
}

// What one attempt did to its message and subscription, written by RecordAsync with the attempt itself.
// `WasFailing`: the subscription had a failure run when the message was claimed (a success then ends it).
public sealed record AttemptOutcome(
    WebhookAttemptRow Attempt, string WebhookId, string MessageStatus, DateTimeOffset? NextAttemptAt, bool Succeeded, string? DisableReason,
    bool WasFailing = true);

public sealed partial class WebhookStore
{
    const string MessageColumns = """
        id, webhook_id, event_id, event_type, body, headers, status, attempts, next_attempt_at, last_response_status, created_at, updated_at
        """;

    internal static readonly LeasedWork Due = new("webhook_messages", $"status = '{MessageStatuses.Pending}' and next_attempt_at <= @now", "next_attempt_at");

    // Messages of one event, at most one per subscription: a fan-out run again (the outbox delivers at least once)
    // inserts nothing twice.
    public static async Task InsertMessagesAsync(DbTx tx, IReadOnlyList<WebhookMessageRow> messages, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(messages);
        // Where a round trip costs more than binding many parameters (PostgreSQL), many rows go in one statement.
        var chunk = tx.Dialect.BatchesStatements ? 100 : 1;
        for (var start = 0; start < messages.Count; start += chunk)
        {
            var rows = messages.Skip(start).Take(chunk).ToList();
            var args = new Dapper.DynamicParameters();
            var values = new List<string>(rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                var m = rows[i];
                values.Add($"(@id{i}, @webhook{i}, @event{i}, @type{i}, @body{i}, @headers{i}, @status{i}, 0, @next{i}, null, @at{i}, @at{i})");
                args.Add($"id{i}", m.Id);
                args.Add($"webhook{i}", m.WebhookId);
                args.Add($"event{i}", m.EventId);
                args.Add($"type{i}", m.EventType);
                args.Add($"body{i}", m.Body);
                args.Add($"headers{i}", m.Headers);
                args.Add($"status{i}", m.Status);
                args.Add($"next{i}", m.NextAttemptAt);
                args.Add($"at{i}", m.CreatedAt);
            }
            await tx.ExecuteAsync($"""
                insert into webhook_messages ({MessageColumns})
                values {string.Join(", ", values)}
                on conflict (webhook_id, event_id) do nothing
                """, args, ct);
        }
    }

    public Task<IReadOnlyList<WebhookMessageRow>> ClaimAsync(string owner, DateTimeOffset now, TimeSpan lease, int batch, CancellationToken ct) =>
        Due.ClaimAsync<WebhookMessageRow>(db, owner, now, lease, batch, ct, returning: MessageColumns);

    // Hands claimed messages back without an attempt, due again at `at` (a rate-limited subscription's next free slot).
    public Task<int> DeferAsync(IReadOnlyCollection<string> ids, string owner, DateTimeOffset at, CancellationToken ct) =>
        db.ExecuteAsync($"""
            update webhook_messages set next_attempt_at = @at, lease_owner = null, lease_until = null
            where {db.Dialect.InList("id", "ids")} and lease_owner = @owner
            """, new { ids = ids.ToArray(), owner, at }, ct);

    // Writes a batch of attempts: the log, each message's new state, and each subscription's failure run (a success
    // ends it; a failure starts it; a 410 or a failure run past the limit disables the subscription).
    public Task RecordAsync(IReadOnlyList<AttemptOutcome> outcomes, string owner, DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
        {
            foreach (var o in outcomes)
            {
                var a = o.Attempt;
                var changed = await tx.ExecuteAsync("""
                    update webhook_messages set status = @status, attempts = attempts + @counted, next_attempt_at = @next,
                        last_response_status = coalesce(@code, last_response_status), updated_at = @now, lease_owner = null, lease_until = null
                    where id = @id and lease_owner = @owner
                    """, new
                {
                    id = a.MessageId, owner, status = o.MessageStatus, counted = a.Status == AttemptStatuses.Skipped ? 0 : 1,
                    next = o.NextAttemptAt, code = a.ResponseStatus, now,
                }, ct);
                if (changed == 0) continue; // the lease was lost: another node owns the message now
                await tx.ExecuteAsync("""
                    insert into webhook_attempts (id, message_id, attempted_at, status, response_status, duration_ms, response_body, error)
                    values (@Id, @MessageId, @AttemptedAt, @Status, @ResponseStatus, @DurationMs, @ResponseBody, @Error)
                    """, a, ct);
                if (a.Status == AttemptStatuses.Skipped) continue;
                if (o.Succeeded && o.WasFailing)
                {
                    await tx.ExecuteAsync("update webhooks set failing_since = null where id = @id and failing_since is not null", new { id = o.WebhookId }, ct);
                }
                else if (!o.Succeeded)
                {
                    await tx.ExecuteAsync("update webhooks set failing_since = @now where id = @id and failing_since is null", new { id = o.WebhookId, now }, ct);
                }
                if (o.DisableReason is { } reason)
                {
                    var disabled = await tx.ExecuteAsync("""
                        update webhooks set is_enabled = @no, disabled_reason = @reason, disabled_at = @now, updated_at = @now, version = version + 1
                        where id = @id and is_enabled = @yes
                        """, new { id = o.WebhookId, reason, now, no = false, yes = true }, ct);
                    if (disabled > 0) await AuditDisabledAsync(tx, o.WebhookId, reason, now, ct);
                }
            }
        }, ct);

    public Task<(IReadOnlyList<WebhookMessageRow> Rows, long Total)> ListMessagesAsync(string webhookId, string? status, Page page, CancellationToken ct) =>
        db.WithConnectionAsync(async c =>
        {
            var args = new { webhookId, status, page.Limit, page.Offset };
            var where = "webhook_id = @webhookId" + (status is null ? "" : " and status = @status");
            var total = await c.ExecuteScalarAsync<long>($"select count(*) from webhook_messages where {where}", args, ct);
            var rows = await c.QueryAsync<WebhookMessageRow>(
                $"select {MessageColumns} from webhook_messages where {where} order by created_at desc, id desc limit @Limit offset @Offset", args, ct);
            return (rows, total);
        }, ct);

    public Task<WebhookMessageRow?> GetMessageAsync(string webhookId, string messageId, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<WebhookMessageRow>($"select {MessageColumns} from webhook_messages where id = @messageId and webhook_id = @webhookId",
            new { webhookId, messageId }, ct);

    public Task<IReadOnlyList<WebhookAttemptRow>> AttemptsAsync(string messageId, CancellationToken ct) =>
        db.QueryAsync<WebhookAttemptRow>("""
            select id, message_id, attempted_at, status, response_status, duration_ms, response_body, error
            from webhook_attempts where message_id = @messageId order by attempted_at, id
            """, new { messageId }, ct);

    // Sends a message again, now, whatever its state (a pending one is simply brought forward).
    // Not while an attempt is in flight (a live lease): that attempt's result would overwrite the resend.
    public Task<int> ResendAsync(string webhookId, string messageId, DateTimeOffset now, CancellationToken ct) =>
        db.ExecuteAsync("""
            update webhook_messages set status = @pending, next_attempt_at = @now, updated_at = @now
            where id = @messageId and webhook_id = @webhookId and (lease_until is null or lease_until <= @now)
            """, new { webhookId, messageId, now, pending = MessageStatuses.Pending }, ct);

    // Queues again up to `limit` failed messages created in [since, until) (no `until`: since then, up to this very
    // instant); returns how many, and whether more remain.
    public Task<(int Recovered, bool HasMore)> RecoverAsync(string webhookId, DateTimeOffset since, DateTimeOffset? until, int limit, DateTimeOffset now,
        CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
        {
            var args = new { webhookId, since, until, limit = limit + 1, now, failed = MessageStatuses.Failed, pending = MessageStatuses.Pending };
            var ids = await tx.QueryAsync<string>($"""
                select id from webhook_messages
                where webhook_id = @webhookId and status = @failed and created_at >= @since{(until is null ? "" : " and created_at < @until")}
                order by created_at, id limit @limit
                """, args, ct);
            var take = ids.Take(limit).ToArray();
            if (take.Length > 0)
            {
                await tx.ExecuteAsync($"""
                    update webhook_messages set status = @pending, next_attempt_at = @now, updated_at = @now
                    where {tx.Dialect.InList("id", "ids")} and status = @failed
                    """, new { ids = take, now, pending = MessageStatuses.Pending, failed = MessageStatuses.Failed }, ct);
            }
            return (take.Length, ids.Count > limit);
        }, ct);

    // The delivery worker turned a failing subscription off: recorded as the server's change.
    static async Task AuditDisabledAsync(DbTx tx, string webhookId, string reason, DateTimeOffset now, CancellationToken ct)
    {
        if (await tx.QueryFirstOrDefaultAsync<WebhookRow>($"select {Columns} from webhooks where id = @webhookId", new { webhookId }, ct) is { } row)
            await Audit.AuditLog.RecordAsync(tx, Audited(row, Audit.AuditEvents.WebhookUpdated, new { IsEnabled = false, DisabledReason = reason }), now, ct);
    }
}

using Patchbay.Audit;
using Patchbay.Data;

namespace Patchbay.Webhooks;

public sealed record WebhookRow
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public required string WebhookUrl { get; init; }
    public required string WebhookEvents { get; init; }
    public required string WorkflowIds { get; init; }
    public string? Slug { get; init; }
    public required string WebhookBody { get; init; }
    public string? WebhookHeaders { get; init; }
    public string? WebhookDescription { get; init; }
    public string? Description { get; init; }
    public required string Method { get; init; }
    public string? GroupName { get; init; }
    public bool IsEnabled { get; init; }
    public required string SealedSecret { get; init; }
    public string? SealedPreviousSecret { get; init; }
    public DateTimeOffset? PreviousSecretUntil { get; init; }
    public int? RateLimit { get; init; }
    public DateTimeOffset? FailingSince { get; init; }
    public string? DisabledReason { get; init; }
    public DateTimeOffset? DisabledAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public int Version { get; init; }
}

// Subscriptions (this file), their messages and attempts (WebhookStore.Messages.cs), settings and throttle
// (WebhookStore.Delivery.cs).
public sealed partial class WebhookStore(Db db)
{
    const string Columns = """
        id, org_id, environment, webhook_url, webhook_events, workflow_ids, slug, webhook_body, webhook_headers, webhook_description,
        description, method, group_name, is_enabled, sealed_secret, sealed_previous_secret, previous_secret_until, rate_limit,
        failing_since, disabled_reason, disabled_at, created_at, updated_at, version
        """;

    public static string SealContext(string webhookId) => Vault.Vault.Context("webhooks", webhookId);

    public Task<IReadOnlyList<WebhookRow>> ListAsync(string orgId, string environment, CancellationToken ct) =>
        db.QueryAsync<WebhookRow>($"select {Columns} from webhooks where org_id = @orgId and environment = @environment order by created_at, id",
            new { orgId, environment }, ct);

    public static Task<IReadOnlyList<WebhookRow>> ListAsync(DbTx tx, string orgId, string environment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.QueryAsync<WebhookRow>($"select {Columns} from webhooks where org_id = @orgId and environment = @environment order by created_at, id",
            new { orgId, environment }, ct);
    }

    public Task<WebhookRow?> GetAsync(string orgId, string environment, string id, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<WebhookRow>($"select {Columns} from webhooks where id = @id and org_id = @orgId and environment = @environment",
            new { id, orgId, environment }, ct);

    public static Task<WebhookRow?> GetAsync(DbTx tx, string orgId, string environment, string id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.QueryFirstOrDefaultAsync<WebhookRow>($"select {Columns} from webhooks where id = @id and org_id = @orgId and environment = @environment",
            new { id, orgId, environment }, ct);
    }

    // The subscription of the deprecated single-webhook API: the environment's oldest.
    public static Task<WebhookRow?> OldestAsync(DbTx tx, string orgId, string environment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.QueryFirstOrDefaultAsync<WebhookRow>(
            $"select {Columns} from webhooks where org_id = @orgId and environment = @environment order by created_at, id limit 1",
            new { orgId, environment }, ct);
    }

    public Task InsertAsync(WebhookRow row, CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync($"""
                insert into webhooks ({Columns})
                values (@Id, @OrgId, @Environment, @WebhookUrl, @WebhookEvents, @WorkflowIds, @Slug, @WebhookBody, @WebhookHeaders, @WebhookDescription,
                        @Description, @Method, @GroupName, @IsEnabled, @SealedSecret, @SealedPreviousSecret, @PreviousSecretUntil, @RateLimit,
                        @FailingSince, @DisabledReason, @DisabledAt, @CreatedAt, @UpdatedAt, @Version)
                """, row, ct);
            await AuditLog.RecordAsync(tx, Audited(row, AuditEvents.WebhookCreated), row.UpdatedAt, ct);
        }, ct);

    // The audit entry of a change: where it delivers (without the URL's query, which may carry a token), what, and
    // whether it is on. Never the signing secret nor the custom headers' values.
    public static AuditChange Audited(WebhookRow row, string auditEvent, object? details = null)
    {
        ArgumentNullException.ThrowIfNull(row);
        var url = Uri.TryCreate(row.WebhookUrl, UriKind.Absolute, out var parsed) ? parsed.GetLeftPart(UriPartial.Path) : null;
        return new(row.OrgId, row.Environment, auditEvent, AuditResources.Webhook, row.Id, null,
            details ?? new { WebhookUrl = url, WebhookEvents = WebhooksApi.Events(row), row.Slug, row.IsEnabled });
    }

    // The fields the public API edits. Enabling a subscription again clears why it was disabled and its failure run.
    public static async Task<int> UpdateAsync(DbTx tx, WebhookRow row, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(row);
        var changed = await tx.ExecuteAsync("""
            update webhooks set webhook_url = @WebhookUrl, webhook_events = @WebhookEvents, workflow_ids = @WorkflowIds, slug = @Slug,
                webhook_body = @WebhookBody, webhook_headers = @WebhookHeaders, webhook_description = @WebhookDescription,
                description = @Description, method = @Method, group_name = @GroupName, is_enabled = @IsEnabled,
                failing_since = @FailingSince, disabled_reason = @DisabledReason, disabled_at = @DisabledAt,
                updated_at = @UpdatedAt, version = @Version
            where id = @Id and org_id = @OrgId and environment = @Environment
            """, row, ct);
        if (changed > 0) await AuditLog.RecordAsync(tx, Audited(row, AuditEvents.WebhookUpdated), row.UpdatedAt, ct);
        return changed;
    }

    public static async Task<int> DeleteAsync(DbTx tx, string orgId, string environment, string id, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var deleted = await tx.ExecuteAsync("delete from webhooks where id = @id and org_id = @orgId and environment = @environment",
            new { id, orgId, environment }, ct);
        if (deleted > 0) await AuditLog.RecordAsync(tx, new(orgId, environment, AuditEvents.WebhookDeleted, AuditResources.Webhook, id), now, ct);
        return deleted;
    }

    // Sets (or, with null, unsets) the group of the listed subscriptions of the environment; returns those updated.
    public Task<IReadOnlyList<WebhookRow>> SetGroupAsync(string orgId, string environment, IReadOnlyCollection<string> ids, string? group,
        DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
        {
            var args = new { orgId, environment, ids = ids.ToArray(), group, now };
            var where = $"org_id = @orgId and environment = @environment and {db.Dialect.InList("id", "ids")}";
            await tx.ExecuteAsync($"update webhooks set group_name = @group, updated_at = @now, version = version + 1 where {where}", args, ct);
            var rows = await tx.QueryAsync<WebhookRow>($"select {Columns} from webhooks where {where} order by created_at, id", args, ct);
            foreach (var row in rows) await AuditLog.RecordAsync(tx, Audited(row, AuditEvents.WebhookUpdated, new { Group = group }), now, ct);
            return rows;
        }, ct);

    // The environment's enabled subscriptions, for fanning an event out.
    public static Task<IReadOnlyList<WebhookRow>> EnabledAsync(DbTx tx, string orgId, string environment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.QueryAsync<WebhookRow>(
            $"select {Columns} from webhooks where org_id = @orgId and environment = @environment and is_enabled = @yes",
            new { orgId, environment, yes = true }, ct);
    }

    public Task<IReadOnlyList<WebhookRow>> ByIdsAsync(IReadOnlyCollection<string> ids, CancellationToken ct) =>
        ids.Count == 0
            ? Task.FromResult<IReadOnlyList<WebhookRow>>([])
            : db.QueryAsync<WebhookRow>($"select {Columns} from webhooks where {db.Dialect.InList("id", "ids")}", new { ids = ids.ToArray() }, ct);

    // A new signing secret; the previous one keeps signing until `previousUntil`.
    public Task<int> RotateSecretAsync(string id, string sealedSecret, string sealedPrevious, DateTimeOffset previousUntil, DateTimeOffset now, CancellationToken ct) =>
        UpdatedAsync(id, """
            update webhooks set sealed_secret = @sealedSecret, sealed_previous_secret = @sealedPrevious, previous_secret_until = @previousUntil,
                updated_at = @now
            where id = @id
            """, new { id, sealedSecret, sealedPrevious, previousUntil, now }, new { SecretRotated = true, PreviousSecretUntil = previousUntil }, now, ct);

    public Task<int> SetRateLimitAsync(string id, int? rateLimit, DateTimeOffset now, CancellationToken ct) =>
        UpdatedAsync(id, "update webhooks set rate_limit = @rateLimit, throttle_at = null, updated_at = @now where id = @id",
            new { id, rateLimit, now }, new { RateLimit = rateLimit }, now, ct);

    // A Patchbay-only change of one subscription, with its audit entry in the same transaction.
    Task<int> UpdatedAsync(string id, string sql, object args, object details, DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
        {
            var changed = await tx.ExecuteAsync(sql, args, ct);
            if (changed > 0 && await tx.QueryFirstOrDefaultAsync<WebhookRow>($"select {Columns} from webhooks where id = @id", new { id }, ct) is { } row)
                await AuditLog.RecordAsync(tx, Audited(row, AuditEvents.WebhookUpdated, details), now, ct);
            return changed;
        }, ct);
}

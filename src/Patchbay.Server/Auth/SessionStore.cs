using Patchbay.Data;

namespace Patchbay.Auth;

public sealed record SessionRow
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public required string AccountId { get; init; }
    public required string LinkedAccountRowId { get; init; }
    public DateTimeOffset IssuedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset RefreshExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
}

public sealed class SessionStore(Db db)
{
    const string Columns = "id, org_id, environment, account_id, linked_account_row_id, issued_at, expires_at, refresh_expires_at, revoked_at";

    public Task<SessionRow?> FindReusableAsync(string orgId, string environment, string accountId, DateTimeOffset validUntilAtLeast, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<SessionRow>($"""
            select {Columns} from session_tokens
            where org_id = @orgId and environment = @environment and account_id = @accountId
              and revoked_at is null and expires_at > @validUntilAtLeast
            order by expires_at desc
            limit 1
            """, new { orgId, environment, accountId, validUntilAtLeast }, ct);

    public Task<SessionRow?> FindAsync(string id, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<SessionRow>($"select {Columns} from session_tokens where id = @id", new { id }, ct);

    public Task InsertAsync(SessionRow row, CancellationToken ct) =>
        db.ExecuteAsync("""
            insert into session_tokens (id, org_id, environment, account_id, linked_account_row_id, issued_at, expires_at, refresh_expires_at)
            values (@Id, @OrgId, @Environment, @AccountId, @LinkedAccountRowId, @IssuedAt, @ExpiresAt, @RefreshExpiresAt)
            """, row, ct);

    // Revokes one session; returns false when it was already revoked (or never existed).
    public Task<bool> RevokeAsync(string id, DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async tx => (await RevokeWhereAsync(tx, "id = @id", new { id, now }, ct)).Count > 0, ct);

    // Revokes every live session of a linked account (used when the account is deleted), in the caller's transaction.
    public Task<IReadOnlyList<(string Id, DateTimeOffset Until)>> RevokeForAccountAsync(DbTx tx, string orgId, string environment, string accountId, DateTimeOffset now, CancellationToken ct) =>
        RevokeWhereAsync(tx, "org_id = @orgId and environment = @environment and account_id = @accountId and refresh_expires_at > @now",
            new { orgId, environment, accountId, now }, ct);

    static async Task<IReadOnlyList<(string Id, DateTimeOffset Until)>> RevokeWhereAsync(DbTx tx, string where, object args, CancellationToken ct)
    {
        var rows = await tx.QueryAsync<SessionRow>($"""
            update session_tokens set revoked_at = @now
            where {where} and revoked_at is null
            returning {Columns}
            """, args, ct);
        foreach (var row in rows)
            await tx.Dialect.NotifyAsync(tx, AuthSync.Channel, AuthSync.SessionRevoked(row.Id, row.RefreshExpiresAt), ct);
        return rows.Select(r => (r.Id, r.RefreshExpiresAt)).ToList();
    }

    public async Task<IReadOnlyList<(string Id, DateTimeOffset Until)>> RevokedUnexpiredAsync(DateTimeOffset now, CancellationToken ct) =>
        (await db.QueryAsync<SessionRow>($"select {Columns} from session_tokens where revoked_at is not null and refresh_expires_at > @now",
            new { now }, ct)).Select(r => (r.Id, r.RefreshExpiresAt)).ToList();

    public async Task<IReadOnlyList<(string Id, DateTimeOffset Until)>> RevokedSinceAsync(DateTimeOffset since, CancellationToken ct) =>
        (await db.QueryAsync<SessionRow>($"select {Columns} from session_tokens where revoked_at >= @since", new { since }, ct))
            .Select(r => (r.Id, r.RefreshExpiresAt)).ToList();

    public Task<int> DeleteExpiredAsync(DateTimeOffset before, CancellationToken ct) =>
        db.ExecuteAsync("delete from session_tokens where refresh_expires_at < @before", new { before }, ct);
}

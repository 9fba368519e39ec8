using Patchbay.Data;

namespace Patchbay.Auth;

public sealed class ApiKeyStore(Db db)
{
    const string Columns = "id, org_id, environment, key_hash, key_hint, source, created_at, revoked_at";

    public Task<ApiKeyRow?> FindActiveAsync(string keyHash, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<ApiKeyRow>($"select {Columns} from api_keys where key_hash = @keyHash and revoked_at is null",
            new { keyHash }, ct);

    public Task<ApiKeyRow?> FindAsync(DbTx tx, string keyHash, CancellationToken ct) =>
        tx.QueryFirstOrDefaultAsync<ApiKeyRow>($"select {Columns} from api_keys where key_hash = @keyHash", new { keyHash }, ct);

    public Task<IReadOnlyList<ApiKeyRow>> ListActiveAsync(string orgId, CancellationToken ct) =>
        db.QueryAsync<ApiKeyRow>($"select {Columns} from api_keys where org_id = @orgId and revoked_at is null order by environment",
            new { orgId }, ct);

    // Inserts a key and tells every node about it (each keeps every active key in memory; see ApiKeyCache).
    public async Task InsertAsync(DbTx tx, ApiKeyRow row, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(row);
        await tx.ExecuteAsync("""
            insert into api_keys (id, org_id, environment, key_hash, key_hint, source, sealed_key, created_at)
            values (@Id, @OrgId, @Environment, @KeyHash, @KeyHint, @Source, @SealedKey, @CreatedAt)
            """, row, ct);
        await tx.Dialect.NotifyAsync(tx, AuthSync.Channel, AuthSync.KeyAdded(row.KeyHash), ct);
    }

    // Every active key (loaded by each node at start), or those created since an instant (the periodic re-read).
    public Task<IReadOnlyList<ApiKeyRow>> ActiveAsync(DateTimeOffset? createdSince, CancellationToken ct) => createdSince is { } since
        ? db.QueryAsync<ApiKeyRow>($"select {Columns} from api_keys where revoked_at is null and created_at >= @since", new { since }, ct)
        : db.QueryAsync<ApiKeyRow>($"select {Columns} from api_keys where revoked_at is null", null, ct);

    // Revokes the environment's active key and tells every node to forget it. Returns the revoked key's hash.
    public async Task<string?> RevokeActiveAsync(DbTx tx, string orgId, string environment, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var hash = await tx.QueryFirstOrDefaultAsync<string>("""
            update api_keys set revoked_at = @now
            where org_id = @orgId and environment = @environment and revoked_at is null
            returning key_hash
            """, new { orgId, environment, now }, ct);
        if (hash is not null) await tx.Dialect.NotifyAsync(tx, AuthSync.Channel, AuthSync.KeyRevoked(hash), ct);
        return hash;
    }

    public static string SealContext(string keyId) => Vault.Vault.Context("api_keys", keyId);

    // The environment's active key as sealed (null when there is none, or it was made before keys were kept sealed).
    public Task<IReadOnlyList<(string Id, string OrgId, string Environment, string? SealedKey)>> SealedActiveAsync(
        IReadOnlyCollection<(string OrgId, string Environment)> environments, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(environments);
        var orgIds = environments.Select(e => e.OrgId).Distinct().ToArray();
        return db.QueryAsync<(string, string, string, string?)>(
            $"select id, org_id, environment, sealed_key from api_keys where revoked_at is null and {db.Dialect.InList("org_id", "orgIds")}",
            new { orgIds }, ct);
    }

    public Task<IReadOnlyList<string>> RevokedSinceAsync(DateTimeOffset since, CancellationToken ct) =>
        db.QueryAsync<string>("select key_hash from api_keys where revoked_at >= @since", new { since }, ct);
}

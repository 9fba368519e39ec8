using Patchbay.Data;

namespace Patchbay.Vault;

public sealed record VaultKeyRow
{
    public required string Id { get; init; }
    public required string WrappedKey { get; init; }
    public required string MasterKeyId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RetiredAt { get; init; }
}

public sealed class VaultKeyStore(Db db)
{
    const string Columns = "id, wrapped_key, master_key_id, created_at, retired_at";

    public Task<IReadOnlyList<VaultKeyRow>> ListAsync(CancellationToken ct) =>
        db.QueryAsync<VaultKeyRow>($"select {Columns} from vault_keys order by created_at", null, ct);

    public Task InsertAsync(VaultKeyRow row, CancellationToken ct) =>
        db.ExecuteAsync("""
            insert into vault_keys (id, wrapped_key, master_key_id, created_at)
            values (@Id, @WrappedKey, @MasterKeyId, @CreatedAt)
            """, row, ct);

    public Task UpdateWrappingAsync(string id, string wrappedKey, string masterKeyId, CancellationToken ct) =>
        db.ExecuteAsync("update vault_keys set wrapped_key = @wrappedKey, master_key_id = @masterKeyId where id = @id",
            new { id, wrappedKey, masterKeyId }, ct);

    public Task RetireAllExceptAsync(string activeId, DateTimeOffset now, CancellationToken ct) =>
        db.ExecuteAsync("update vault_keys set retired_at = @now where id <> @activeId and retired_at is null",
            new { activeId, now }, ct);
}

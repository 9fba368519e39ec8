using System.Security.Cryptography;
using Patchbay.Data;

namespace Patchbay.Vault;

// Random secrets every node must share (the session-token signing key, the API-key hashing key), created once by
// whichever node starts first and kept sealed in `server_secrets`.
public sealed class ServerSecrets(Db db, Vault vault, TimeProvider time)
{
    public async Task<byte[]> GetOrCreateAsync(string name, int size, CancellationToken ct)
    {
        var existing = await ReadAsync(name, ct);
        if (existing is not null) return existing;

        var sealedValue = vault.Seal(Convert.ToBase64String(RandomNumberGenerator.GetBytes(size)), Vault.Context("server_secrets", name));
        // Two nodes starting together may both get here; the first insert wins and both read it back.
        await db.ExecuteAsync("""
            insert into server_secrets (name, sealed_value, created_at) values (@name, @sealedValue, @now)
            on conflict (name) do nothing
            """, new { name, sealedValue, now = time.GetUtcNow() }, ct);
        return await ReadAsync(name, ct) ?? throw new InvalidOperationException($"Server secret {name} could not be stored.");
    }

    // An existing secret only (commands that must not change an installation they inspect).
    public async Task<byte[]> GetAsync(string name, CancellationToken ct) =>
        await ReadAsync(name, ct) ?? throw new InvalidOperationException($"Server secret {name} does not exist: no Patchbay server has finished starting on this database.");

    async Task<byte[]?> ReadAsync(string name, CancellationToken ct)
    {
        var sealedValue = await db.QueryFirstOrDefaultAsync<string>("select sealed_value from server_secrets where name = @name", new { name }, ct);
        if (sealedValue is null) return null;
        var secret = await vault.OpenAsync(sealedValue, Vault.Context("server_secrets", name), ct);
        return Convert.FromBase64String(secret.Value);
    }
}

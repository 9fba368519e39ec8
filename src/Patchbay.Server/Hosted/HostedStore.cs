using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Patchbay.Data;

namespace Patchbay.Hosted;

// Hosted-page properties (stored by POST /connect-url, per session, three days) and single-use connect codes
// (stored only as hashes: a code is a bearer credential until spent).
public sealed class HostedStore(Db db, TimeProvider time)
{
    public static readonly TimeSpan PropertiesLifetime = TimeSpan.FromDays(3);
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(15);

    public Task SavePropertiesAsync(string sessionId, string json, CancellationToken ct) =>
        db.ExecuteAsync("""
            insert into hosted_properties (session_id, properties, expires_at) values (@sessionId, @json, @expiresAt)
            on conflict (session_id) do update set properties = excluded.properties, expires_at = excluded.expires_at
            """, new { sessionId, json, expiresAt = time.GetUtcNow() + PropertiesLifetime }, ct);

    public Task<string?> PropertiesAsync(string sessionId, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<string>("select properties from hosted_properties where session_id = @sessionId and expires_at > @now",
            new { sessionId, now = time.GetUtcNow() }, ct);

    public async Task<string> CreateCodeAsync(string sessionId, CancellationToken ct)
    {
        var code = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await db.ExecuteAsync("insert into connect_codes (code_hash, session_id, expires_at) values (@hash, @sessionId, @expiresAt)",
            new { hash = Hash(code), sessionId, expiresAt = time.GetUtcNow() + CodeLifetime }, ct);
        return code;
    }

    // Spends a code: the session it opens, or null when unknown, expired or already used.
    public Task<string?> SpendCodeAsync(string code, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return db.InTransactionAsync(tx => tx.QueryFirstOrDefaultAsync<string>("""
            update connect_codes set used_at = @now
            where code_hash = @hash and used_at is null and expires_at > @now
            returning session_id
            """, new { hash = Hash(code), now }, ct), ct);
    }

    public Task<int> DeleteExpiredAsync(DateTimeOffset before, CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
            await tx.ExecuteAsync("delete from hosted_properties where expires_at < @before", new { before }, ct)
            + await tx.ExecuteAsync("delete from connect_codes where expires_at < @before", new { before }, ct), ct);

    static string Hash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));
}

using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Patchbay.Data;
using Patchbay.Vault;

namespace Patchbay.OAuth;

// What an authorization attempt must remember until the provider sends the customer back. Sealed: it holds the
// PKCE verifier and the prerequisites the customer typed.
public sealed record OAuthStateContext(string? CodeVerifier, Dictionary<string, string> Prerequisites, string Mode, string? Opener = null);

public sealed record OAuthState(
    string Id, string OrgId, string Environment, string LinkedAccountRowId, string Slug, string RedirectUri, OAuthStateContext Context, string? ReturnTo);

// The `state` parameter is "<id>.<mac>": 128 random bits naming a row (stored as their SHA-256), plus an HMAC so forged or mangled states are
// refused without a database read. The row binds the attempt to its org, environment, linked account and app; it
// expires, and the callback spends it (used once).
public sealed class OAuthStateStore(Db db, Vault.Vault vault, TimeProvider time)
{
    byte[]? macKey;

    sealed record Row
    {
        public required string Id { get; init; }
        public required string OrgId { get; init; }
        public required string Environment { get; init; }
        public required string LinkedAccountRowId { get; init; }
        public required string Slug { get; init; }
        public required string RedirectUri { get; init; }
        public required string SealedContext { get; init; }
        public string? ReturnTo { get; init; }
        public DateTimeOffset ExpiresAt { get; init; }
    }

    public async Task InitializeAsync(ServerSecrets secrets, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        macKey = await secrets.GetOrCreateAsync("oauth_state_key", 32, ct);
    }

    public async Task<string> CreateAsync(string orgId, string environment, string linkedAccountRowId, string slug, string redirectUri,
        OAuthStateContext context, string? returnTo, TimeSpan lifetime, CancellationToken ct)
    {
        var id = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var now = time.GetUtcNow();
        await db.ExecuteAsync("""
            insert into oauth_states (id, org_id, environment, linked_account_row_id, slug, redirect_uri, sealed_context, return_to, expires_at, created_at)
            values (@id, @orgId, @environment, @linkedAccountRowId, @slug, @redirectUri, @sealedContext, @returnTo, @expiresAt, @now)
            """, new
        {
            id = Hash(id), orgId, environment, linkedAccountRowId, slug, redirectUri, returnTo, now, expiresAt = now + lifetime,
            sealedContext = vault.Seal(JsonSerializer.Serialize(context), Vault.Vault.Context("oauth_states", id)),
        }, ct);
        return id + "." + Mac(id);
    }

    // Spends a state: null when it is forged, unknown, expired, already used, or for another app.
    public async Task<OAuthState?> ConsumeAsync(string? state, string slug, CancellationToken ct)
    {
        if (state is null || state.Split('.') is not [var id, var mac]
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(mac), Encoding.ASCII.GetBytes(Mac(id))))
        {
            return null;
        }
        var now = time.GetUtcNow();
        var hash = Hash(id);
        var row = await db.InTransactionAsync(async tx =>
        {
            var spent = await tx.ExecuteAsync(
                "update oauth_states set used_at = @now where id = @hash and used_at is null and expires_at > @now", new { hash, now }, ct);
            return spent == 1
                ? await tx.QueryFirstOrDefaultAsync<Row>("""
                    select id, org_id, environment, linked_account_row_id, slug, redirect_uri, sealed_context, return_to, expires_at
                    from oauth_states where id = @hash
                    """, new { hash }, ct)
                : null;
        }, ct);
        if (row is null || row.Slug != slug) return null;
        var context = JsonSerializer.Deserialize<OAuthStateContext>(
            (await vault.OpenAsync(row.SealedContext, Vault.Vault.Context("oauth_states", id), ct)).Value)!; // sealed by CreateAsync
        return new OAuthState(row.Id, row.OrgId, row.Environment, row.LinkedAccountRowId, row.Slug, row.RedirectUri, context, row.ReturnTo);
    }

    public Task<int> DeleteExpiredAsync(DateTimeOffset before, CancellationToken ct) =>
        db.ExecuteAsync("delete from oauth_states where expires_at < @before", new { before }, ct);

    // The row's key: the id's SHA-256, so the table alone does not give back a state (the seal's context stays the id).
    static string Hash(string id) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(id)));

    string Mac(string id)
    {
        var key = macKey ?? throw new InvalidOperationException("OAuth states are not initialized.");
        return Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(id)).AsSpan(0, 16));
    }
}

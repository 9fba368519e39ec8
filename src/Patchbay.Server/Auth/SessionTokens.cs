using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Patchbay.Data;
using Patchbay.Vault;

namespace Patchbay.Auth;

public sealed record SessionClaims(string SessionId, string OrgId, string Environment, string AccountId, DateTimeOffset ExpiresAt, bool IsRefresh);

public sealed record IssuedSession(string Token, string RefreshToken, long ExpiresIn, long RefreshExpiresIn);

public enum SessionFailure { None, Invalid, Expired, Revoked }

// Session tokens are HS256 JWTs with Refold's claims {org_id, linked_account_id, environment, iat, exp} plus a jti
// naming their row in `session_tokens`. The database keeps the claims, never the token: because HS256 is
// deterministic, an existing session is handed out again by signing the same claims, and a stolen table without
// the signing key (sealed in server_secrets) forges nothing.
//
// Validation is local: signature and expiry, then the revocation set, which every node keeps in memory and which
// AuthSync keeps current (PostgreSQL NOTIFY, plus a periodic re-read).
public sealed class SessionTokens(SessionStore store, TimeProvider time, IOptions<AuthOptions> options)
{
    static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    SigningCredentials? signing;
    TokenValidationParameters? validation;
    readonly ConcurrentDictionary<string, SessionClaims> validated = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, DateTimeOffset> revoked = new(StringComparer.Ordinal);

    public async Task InitializeAsync(ServerSecrets secrets, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var key = new SymmetricSecurityKey(await secrets.GetOrCreateAsync("session_signing_key", 32, ct)) { KeyId = "s1" };
        signing = new SigningCredentials(key, SecurityAlgorithms.HmacSha256);
        validation = new TokenValidationParameters
        {
            IssuerSigningKey = key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = false,
            ValidateAudience = false,
            // Expiry is checked against the injected TimeProvider below, not the wall clock.
            ValidateLifetime = false,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
        };
        foreach (var (id, until) in await store.RevokedUnexpiredAsync(time.GetUtcNow(), ct)) revoked[id] = until;
    }

    public async Task<IssuedSession> IssueAsync(string orgId, string environment, string accountId, string accountRowId, bool forceRefresh, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var o = options.Value;
        SessionRow? row = null;
        if (!forceRefresh)
            row = await store.FindReusableAsync(orgId, environment, accountId, now + o.ReuseMinimumRemaining, ct);
        if (row is null)
        {
            // Whole seconds: `iat`/`exp` are NumericDate, and re-signing must reproduce the token exactly.
            var issuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
            row = new SessionRow
            {
                Id = Ids.New(now),
                OrgId = orgId,
                Environment = environment,
                AccountId = accountId,
                LinkedAccountRowId = accountRowId,
                IssuedAt = issuedAt,
                ExpiresAt = issuedAt + o.SessionLifetime,
                RefreshExpiresAt = issuedAt + o.RefreshLifetime,
            };
            await store.InsertAsync(row, ct);
        }
        return Sign(row, now);
    }

    public IssuedSession Sign(SessionRow row, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(
            Token: Create(row, row.ExpiresAt, refresh: false),
            RefreshToken: Create(row, row.RefreshExpiresAt, refresh: true),
            ExpiresIn: Math.Max(0, (long)(row.ExpiresAt - now).TotalSeconds),
            RefreshExpiresIn: Math.Max(0, (long)(row.RefreshExpiresAt - now).TotalSeconds));
    }

    string Create(SessionRow row, DateTimeOffset expiresAt, bool refresh)
    {
        var payload = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(payload))
        {
            writer.WriteStartObject();
            writer.WriteString("org_id", row.OrgId);
            writer.WriteString("linked_account_id", row.AccountId);
            writer.WriteString("environment", row.Environment);
            writer.WriteString("jti", row.Id);
            if (refresh) writer.WriteBoolean("is_refresh", true);
            writer.WriteNumber("iat", row.IssuedAt.ToUnixTimeSeconds());
            writer.WriteNumber("exp", expiresAt.ToUnixTimeSeconds());
            writer.WriteEndObject();
        }
        return Handler.CreateToken(Encoding.UTF8.GetString(payload.WrittenSpan), signing ?? throw new InvalidOperationException("Session tokens are not initialized."));
    }

    public async ValueTask<(SessionClaims? Claims, SessionFailure Failure)> ValidateAsync(string token, bool refresh = false)
    {
        if (!validated.TryGetValue(token, out var claims))
        {
            if (token.Length > 4096) return (null, SessionFailure.Invalid);
            var result = await Handler.ValidateTokenAsync(token, validation ?? throw new InvalidOperationException("Session tokens are not initialized."));
            if (!result.IsValid || !TryReadClaims(result.Claims, out claims)) return (null, SessionFailure.Invalid);
            // Bounded: past this size the cache starts over rather than grow without limit.
            if (validated.Count > 100_000) validated.Clear();
            validated[token] = claims;
        }
        if (claims.IsRefresh != refresh) return (null, SessionFailure.Invalid);
        if (revoked.ContainsKey(claims.SessionId)) return (null, SessionFailure.Revoked);
        if (claims.ExpiresAt <= time.GetUtcNow()) return (null, SessionFailure.Expired);
        return (claims, SessionFailure.None);
    }

    static bool TryReadClaims(IDictionary<string, object> claims, out SessionClaims result)
    {
        result = null!;
        if (claims.TryGetValue("org_id", out var org) && org is string orgId
            && claims.TryGetValue("linked_account_id", out var la) && la is string accountId
            && claims.TryGetValue("environment", out var env) && env is string environment && OrgEnvironments.IsValid(environment)
            && claims.TryGetValue("jti", out var jti) && jti is string sessionId
            && claims.TryGetValue("exp", out var exp) && TryLong(exp, out var expSeconds))
        {
            var isRefresh = claims.TryGetValue("is_refresh", out var r) && r is true;
            result = new SessionClaims(sessionId, orgId, environment, accountId, DateTimeOffset.FromUnixTimeSeconds(expSeconds), isRefresh);
            return true;
        }
        return false;
    }

    static bool TryLong(object value, out long result)
    {
        switch (value)
        {
            case long l: result = l; return true;
            case int i: result = i; return true;
            case double d when d == Math.Floor(d): result = (long)d; return true;
            case string s when long.TryParse(s, out var parsed): result = parsed; return true;
            default: result = 0; return false;
        }
    }

    // Marks sessions revoked on this node; other nodes learn of it from AuthSync.
    public void MarkRevoked(string sessionId, DateTimeOffset until) => revoked[sessionId] = until;

    public void PruneRevoked(DateTimeOffset now)
    {
        foreach (var (id, until) in revoked)
            if (until < now) revoked.TryRemove(id, out _);
    }
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Patchbay.Data;
using Patchbay.Vault;

namespace Patchbay.Auth;

public sealed record ApiKeyRow
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public required string KeyHash { get; init; }
    public required string KeyHint { get; init; }
    public required string Source { get; init; }

    // The key itself, sealed by the vault (bound to the row id): outbound webhooks sign with it (x-cobalt-signature).
    // Null for keys made before Patchbay kept it.
    public string? SealedKey { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
}

// API keys are stored only as HMAC-SHA256 under a server-wide secret key: a leaked table cannot be replayed and
// cannot be brute-forced offline without that key. The keys are 122-bit random, so a fast keyed hash is the right
// tool (a slow password hash would cost milliseconds on every request for no gain).
public sealed class ApiKeyHasher
{
    byte[]? key;

    public async Task InitializeAsync(ServerSecrets secrets, CancellationToken ct, bool create = true)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        key = create ? await secrets.GetOrCreateAsync(SecretName, 32, ct) : await secrets.GetAsync(SecretName, ct);
    }

    const string SecretName = "api_key_hmac";

    public string Hash(string apiKey)
    {
        ArgumentNullException.ThrowIfNull(apiKey);
        var k = key ?? throw new InvalidOperationException("The API-key hasher has not been initialized.");
        Span<byte> mac = stackalloc byte[32];
        var max = Encoding.UTF8.GetMaxByteCount(apiKey.Length);
        byte[]? rented = null;
        Span<byte> input = max <= 256 ? stackalloc byte[256] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        var length = Encoding.UTF8.GetBytes(apiKey, input);
        HMACSHA256.HashData(k, input[..length], mac);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        return Convert.ToHexStringLower(mac);
    }

    // Refold's format: `tk` (test) or `pk` (production) followed by a random UUID.
    public static string Generate(string environment)
    {
        var bytes = RandomNumberGenerator.GetBytes(16);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 (Guid's little-endian field order)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return (environment == OrgEnvironments.Production ? "pk" : "tk") + new Guid(bytes).ToString("D");
    }

    public static string Hint(string apiKey)
    {
        ArgumentNullException.ThrowIfNull(apiKey);
        return apiKey.Length < 8 ? "…" : string.Concat(apiKey.AsSpan(0, 2), "…", apiKey.AsSpan(apiKey.Length - 4));
    }
}

// Active keys seen by this node, by hash. Entries are dropped when a key is revoked (locally at once, on other
// nodes through AuthSync), so a lookup never costs a database round trip once a key is warm.
public sealed class ApiKeyCache
{
    readonly ConcurrentDictionary<string, ApiKeyRow> byHash = new(StringComparer.Ordinal);
    long generation;

    // Bumped by every eviction. A row read from the database is cached only if no eviction happened since the read
    // began, so a revocation that commits during the read cannot be undone by a late Add.
    public long Generation => Interlocked.Read(ref generation);

    public bool TryGet(string hash, out ApiKeyRow row) => byHash.TryGetValue(hash, out row!);

    public void Add(ApiKeyRow row, long readStartedAt)
    {
        ArgumentNullException.ThrowIfNull(row);
        // A bounded cache: past this size something is wrong (or hostile); start again rather than grow.
        if (byHash.Count > 100_000) byHash.Clear();
        byHash[row.KeyHash] = row;
        if (Generation != readStartedAt) byHash.TryRemove(row.KeyHash, out _);
    }

    public void Evict(string hash)
    {
        Interlocked.Increment(ref generation);
        byHash.TryRemove(hash, out _);
    }
}

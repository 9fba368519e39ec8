using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Patchbay.Vault;

// AES-256-GCM envelope encryption. A value is sealed under a data key and written as
//   v1.<data key id>.<nonce>.<ciphertext+tag>          (base64url parts)
// with associated data "<table>/<row key…>" binding it to the row it belongs to: the same blob copied to another
// row or field fails to open. Data keys live in `vault_keys`, wrapped by a master key that only configuration holds;
// the key id in every blob lets old values stay readable while new ones use a rotated key.
public sealed class Vault(VaultKeyStore store, MasterKeys masterKeys, TimeProvider time, ILogger<Vault> logger)
{
    const string Version = "v1";
    const int NonceSize = 12;
    const int TagSize = 16;

    readonly ConcurrentDictionary<string, byte[]> dataKeys = new();
    volatile string? activeKeyId;

    public string ActiveKeyId => activeKeyId ?? throw new InvalidOperationException("The vault has not been initialized.");

    public static string Context(string table, params string[] rowKey) => table + "/" + string.Join('/', rowKey);

    // Loads the data keys, creating the first one on an empty database. Fails when a data key is wrapped by a
    // master key this node does not hold: that means nodes disagree on the master key, and values sealed by one
    // would be unreadable by the other.
    public async Task InitializeAsync(CancellationToken ct, bool createFirstKey = true)
    {
        var rows = await store.ListAsync(ct);
        if (rows.Count == 0)
        {
            if (!createFirstKey) throw new InvalidOperationException("This database has no vault keys: no Patchbay server has started on it yet.");
            await store.InsertAsync(NewWrappedKey(), ct);
            rows = await store.ListAsync(ct);
        }
        Load(rows, strict: true);
    }

    public string Seal(Secret value, string context) => Seal(value.Value, context);

    public string Seal(string plaintext, string context)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var keyId = ActiveKeyId;
        return Encrypt(dataKeys[keyId], keyId, Encoding.UTF8.GetBytes(plaintext), context);
    }

    public async ValueTask<Secret> OpenAsync(string sealedValue, string context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sealedValue);
        var keyId = KeyIdOf(sealedValue);
        if (!dataKeys.ContainsKey(keyId)) await RefreshAsync(ct);
        if (!dataKeys.TryGetValue(keyId, out var key))
            throw new VaultException($"Data key {keyId} is unknown to this node.");
        return new Secret(Encoding.UTF8.GetString(Decrypt(key, sealedValue, context)));
    }

    // Re-reads the key table: periodically (VaultKeyRefresher) and whenever a value names an unknown key.
    public async Task RefreshAsync(CancellationToken ct)
    {
        Load(await store.ListAsync(ct), strict: false);
    }


    public static string KeyIdOf(string sealedValue)
    {
        var parts = sealedValue.Split('.');
        if (parts.Length != 4 || parts[0] != Version) throw new VaultException("Not a vault value.");
        return parts[1];
    }

    // A new data key wrapped under the current master key.
    public VaultKeyRow NewWrappedKey()
    {
        var id = "dk" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var key = RandomNumberGenerator.GetBytes(32);
        var (masterId, master) = masterKeys.Current;
        return new VaultKeyRow
        {
            Id = id,
            WrappedKey = Encrypt(master, masterId, key, "vault_keys/" + id),
            MasterKeyId = masterId,
            CreatedAt = time.GetUtcNow(),
        };
    }

    public byte[] Unwrap(VaultKeyRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!masterKeys.ById.TryGetValue(row.MasterKeyId, out var master))
            throw new VaultException($"Data key {row.Id} is wrapped by master key {row.MasterKeyId}, which this node does not hold.");
        return Decrypt(master, row.WrappedKey, "vault_keys/" + row.Id);
    }

    public string Rewrap(VaultKeyRow row)
    {
        var (masterId, master) = masterKeys.Current;
        return Encrypt(master, masterId, Unwrap(row), "vault_keys/" + row.Id);
    }

    void Load(IReadOnlyList<VaultKeyRow> rows, bool strict)
    {
        foreach (var row in rows)
        {
            if (dataKeys.ContainsKey(row.Id)) continue;
            try
            {
                dataKeys[row.Id] = Unwrap(row);
            }
            catch (VaultException e) when (!strict)
            {
                logger.LogError("Vault data key {KeyId} cannot be unwrapped on this node: {Reason}", row.Id, e.Message);
            }
            catch (VaultException e)
            {
                throw new InvalidOperationException(
                    $"{e.Message} Every node must be configured with the same Patchbay:Vault:MasterKey (current key id here: {masterKeys.Current.Id}).", e);
            }
        }
        // The newest key that is not retired is the one new values are sealed with.
        var active = rows.Where(r => r.RetiredAt is null).OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).FirstOrDefault()
            ?? rows.OrderByDescending(r => r.CreatedAt).First();
        activeKeyId = active.Id;
    }

    static string Encrypt(byte[] key, string keyId, byte[] plaintext, string context)
    {
        Span<byte> nonce = stackalloc byte[NonceSize];
        RandomNumberGenerator.Fill(nonce);
        var output = new byte[plaintext.Length + TagSize];
        using (var aes = new AesGcm(key, TagSize))
            aes.Encrypt(nonce, plaintext, output.AsSpan(0, plaintext.Length), output.AsSpan(plaintext.Length), Aad(context));
        return string.Join('.', Version, keyId, Base64Url.EncodeToString(nonce), Base64Url.EncodeToString(output));
    }

    static byte[] Decrypt(byte[] key, string sealedValue, string context)
    {
        var parts = sealedValue.Split('.');
        if (parts.Length != 4 || parts[0] != Version) throw new VaultException("Not a vault value.");
        byte[] nonce, data;
        try
        {
            nonce = Base64Url.DecodeFromChars(parts[2]);
            data = Base64Url.DecodeFromChars(parts[3]);
        }
        catch (FormatException) { throw new VaultException("Malformed vault value."); }
        if (nonce.Length != NonceSize || data.Length < TagSize) throw new VaultException("Malformed vault value.");
        var plaintext = new byte[data.Length - TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(nonce, data.AsSpan(0, plaintext.Length), data.AsSpan(plaintext.Length), plaintext, Aad(context));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new VaultException("The value does not belong here or was altered (authentication failed).");
        }
        return plaintext;
    }

    static byte[] Aad(string context) => Encoding.UTF8.GetBytes("patchbay/" + context);
}

public sealed class VaultException(string message) : Exception(message);

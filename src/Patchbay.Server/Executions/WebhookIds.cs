using System.Security.Cryptography;
using System.Text;
using Patchbay.Vault;

namespace Patchbay.Executions;

// The id in a wait-for-webhook URL is its only credential, so the database holds neither it nor anything it can be
// read back from. The execution's state keeps a reference (random, "w1:" + 128 bits); the id is an HMAC of it under
// a server secret (sealed in `server_secrets`), recomputed to show the URL; `execution_waits` is keyed by the id's
// SHA-256. A copy of the database without the master key yields no usable URL. Human tasks' form ids derive the same
// way from references of their own prefix ("h1:"), so the two kinds of id never coincide.
public sealed class WebhookIds
{
    const string Prefix = "w1:";
    public const string HumanTaskPrefix = "h1:";
    byte[]? key;

    public async Task InitializeAsync(ServerSecrets secrets, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        key = await secrets.GetOrCreateAsync("webhook_id_key", 32, ct);
    }

    public static string NewReference(string prefix = Prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    // The id a reference stands for. A reference without the prefix was written before ids were derived: it is the
    // id itself (its wait row was hashed by migration 0005).
    public string Id(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (!reference.StartsWith(Prefix, StringComparison.Ordinal) && !reference.StartsWith(HumanTaskPrefix, StringComparison.Ordinal)) return reference;
        var secret = key ?? throw new InvalidOperationException("Webhook ids are not initialized.");
        return Convert.ToHexStringLower(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(reference)).AsSpan(0, 16));
    }

    // What `execution_waits.id` holds for an id.
    public static string Hash(string id) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
}

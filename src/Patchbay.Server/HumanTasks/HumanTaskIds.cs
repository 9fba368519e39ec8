using System.Security.Cryptography;
using System.Text;

namespace Patchbay.HumanTasks;

// A human task's id is the form's only credential (the person has no account). It derives from a random reference
// kept in the execution's state (see WebhookIds: an HMAC under a sealed server secret, 128 bits), and `human_tasks`
// is keyed by the id's SHA-256: the database alone yields no usable form link.
public static class HumanTaskIds
{
    public static string Hash(string id) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));

    // What a well-formed id looks like (32 hex digits); anything else is unknown without a lookup.
    public static bool IsWellFormed(string id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);
}

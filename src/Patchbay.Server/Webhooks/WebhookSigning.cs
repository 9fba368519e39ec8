using System.Security.Cryptography;
using System.Text;

namespace Patchbay.Webhooks;

// The two signatures every delivery carries.
//  - Refold's `x-cobalt-signature`: hex HMAC-SHA256 of the raw body, keyed with the environment's API key.
//  - Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`): HMAC-SHA256 of
//    "<id>.<timestamp>.<body>" keyed with the subscription's `whsec_` secret (base64 after the prefix). During a
//    rotation's overlap both secrets sign, space-separated, so receivers holding either one verify.
public static class WebhookSigning
{
    public const string SecretPrefix = "whsec_";

    public static string CobaltSignature(string apiKey, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(apiKey);
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(apiKey), body));
    }

    public static byte[] SecretBytes(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
    }

    public static string StandardSignature(IEnumerable<byte[]> keys, string messageId, long timestamp, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var prefix = Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed, prefix.Length);
        return string.Join(' ', keys.Select(k => "v1," + Convert.ToBase64String(HMACSHA256.HashData(k, signed))));
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Patchbay.Apps;

// OAuth 1.0a request signing (RFC 5849 §3.4) with HMAC-SHA256 (the one method the catalog needs), as NetSuite token-based
// authentication requires: the signature covers the method, the base URL and every oauth_* and query parameter.
public static class OAuth1Signer
{
    public sealed record Credentials(string ConsumerKey, string ConsumerSecret, string Token, string TokenSecret, string? Realm, string SignatureMethod);

    public static string AuthorizationHeader(Credentials credentials, HttpMethod method, Uri url, long timestamp, string nonce)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(url);
        var oauth = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["oauth_consumer_key"] = credentials.ConsumerKey,
            ["oauth_nonce"] = nonce,
            ["oauth_signature_method"] = credentials.SignatureMethod,
            ["oauth_timestamp"] = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["oauth_token"] = credentials.Token,
            ["oauth_version"] = "1.0",
        };
        var signature = Sign(credentials, method, url, oauth);

        var header = new StringBuilder("OAuth ");
        if (credentials.Realm is { Length: > 0 } realm) header.Append("realm=\"").Append(Encode(realm)).Append("\", ");
        foreach (var (key, value) in oauth) header.Append(key).Append("=\"").Append(Encode(value)).Append("\", ");
        header.Append("oauth_signature=\"").Append(Encode(signature)).Append('"');
        return header.ToString();
    }

    public static string Sign(Credentials credentials, HttpMethod method, Uri url, IReadOnlyDictionary<string, string> oauthParameters)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(oauthParameters);
        var parameters = oauthParameters.Select(p => (Encode(p.Key), Encode(p.Value))).ToList();
        foreach (var pair in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            parameters.Add((Encode(Uri.UnescapeDataString(kv[0].Replace('+', ' '))), Encode(kv.Length > 1 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')) : "")));
        }
        var normalized = string.Join('&', parameters.OrderBy(p => p.Item1, StringComparer.Ordinal).ThenBy(p => p.Item2, StringComparer.Ordinal)
            .Select(p => p.Item1 + "=" + p.Item2));
        var baseUrl = url.GetLeftPart(UriPartial.Path); // scheme and host lower-cased, default port dropped, no query
        var baseString = method.Method.ToUpperInvariant() + "&" + Encode(baseUrl) + "&" + Encode(normalized);
        var key = Encoding.UTF8.GetBytes(Encode(credentials.ConsumerSecret) + "&" + Encode(credentials.TokenSecret));
        var data = Encoding.UTF8.GetBytes(baseString);
        return Convert.ToBase64String(HMACSHA256.HashData(key, data));
    }

    public static string NewNonce()
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return RandomNumberGenerator.GetString(Alphabet, 32);
    }

    // RFC 3986 percent-encoding: everything but unreserved characters, upper-case hex (RFC 5849 §3.6).
    public static string Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
                builder.Append((char)b);
            else
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }
}

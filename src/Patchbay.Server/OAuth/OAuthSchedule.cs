using System.Globalization;
using Patchbay.Connections;

namespace Patchbay.OAuth;

public static class OAuthSchedule
{
    // When an OAuth connection's token expires and when to refresh it: RefreshAhead before expiry (or half-way
    // through a shorter life). A token that cannot be renewed (no refresh token, no client credentials of its own)
    // is looked at when it expires, to be marked expired.
    public static ConnectionSchedule For(IReadOnlyDictionary<string, string> values, DateTimeOffset now, OAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(options);
        if (!values.TryGetValue("expires_at", out var text) || !long.TryParse(text, CultureInfo.InvariantCulture, out var seconds))
            return new ConnectionSchedule();
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (!values.ContainsKey("refresh_token") && !values.ContainsKey("client_id"))
            return new ConnectionSchedule(TokenExpiresAt: expiresAt, RefreshAt: expiresAt);
        var lifetime = expiresAt - now;
        var ahead = lifetime / 2 < options.RefreshAhead ? lifetime / 2 : options.RefreshAhead;
        return new ConnectionSchedule(TokenExpiresAt: expiresAt, RefreshAt: expiresAt - ahead);
    }
}

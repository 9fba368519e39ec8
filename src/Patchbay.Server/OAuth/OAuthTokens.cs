using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Patchbay.Apps;
using Patchbay.Connections;

namespace Patchbay.OAuth;

public enum RefreshOutcome { Fresh, Refreshed, Expired, Busy, Failed }

// Keeps OAuth access tokens valid. A refresh is single-flight twice over:
// - in a process, concurrent callers for one connection share one task;
// - across nodes, a lease on the connection row (set by a conditional UPDATE) is the lock, and the row is read again
//   once the lease is held, so a node that waited finds the token another node just refreshed instead of spending
//   the refresh token a second time (providers that rotate refresh tokens would revoke the grant).
// The provider rejecting the refresh (invalid_grant, 400/401) expires the connection and stops retrying until the
// customer reconnects; a transient failure retries later with backoff.
public sealed class OAuthTokens(
    ConnectionStore store, TokenEndpoint endpoint, OAuthClientStore clients, AppCatalog catalog,
    IOptions<OAuthOptions> options, TimeProvider time, Data.Node node, ILogger<OAuthTokens> logger)
{
    static readonly TimeSpan Skew = TimeSpan.FromSeconds(60);
    readonly ConcurrentDictionary<string, Lazy<Task<RefreshOutcome>>> inflight = new();
    readonly string owner = node.Owner("oauth-refresh");

    public sealed class ReauthRequiredException(string message) : Exception(message);

    // The connection's credentials with a valid access token, refreshing it first when it expires within a minute.
    public async Task<Dictionary<string, string>> CredentialsAsync(ConnectionContext connection, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.Status != ConnectionStatus.Active) throw new ReauthRequiredException($"The {connection.AppKey} connection has expired; reconnect it.");
        if (connection.AuthType == AppManifest.OAuth2 && connection.TokenExpiresAt is { } expires && expires - time.GetUtcNow() < Skew)
        {
            var outcome = await RefreshAsync(connection.Id, wait: true, ct);
            if (outcome == RefreshOutcome.Expired) throw new ReauthRequiredException($"{connection.AppKey} refused to refresh the token; reconnect it.");
            connection = await store.GetContextAsync(connection.Id, ct) ?? throw new ReauthRequiredException("The connection was removed.");
        }
        return await store.OpenAsync(connection.SealedCredentials, connection.IntegrationId, connection.AuthType, ct);
    }

    public Task<RefreshOutcome> RefreshAsync(string connectionId, bool wait, CancellationToken ct)
    {
        // The shared refresh runs to its end whoever started it (bounded by the token timeout); each caller may stop waiting.
        var lazy = inflight.GetOrAdd(connectionId, id => new Lazy<Task<RefreshOutcome>>(() => RefreshCoreAsync(id, wait, CancellationToken.None)));
        return AwaitAndForget(connectionId, lazy, ct);
    }

    async Task<RefreshOutcome> AwaitAndForget(string connectionId, Lazy<Task<RefreshOutcome>> lazy, CancellationToken ct)
    {
        try { return await lazy.Value.WaitAsync(ct); }
        finally { inflight.TryRemove(new KeyValuePair<string, Lazy<Task<RefreshOutcome>>>(connectionId, lazy)); }
    }

    async Task<RefreshOutcome> RefreshCoreAsync(string connectionId, bool wait, CancellationToken ct)
    {
        var o = options.Value;
        // How long to wait for another node is real elapsed time (a monotonic clock), not the business clock.
        var waitStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            var now = time.GetUtcNow();
            if (await store.TryLeaseRefreshAsync(connectionId, owner, now, now + o.RefreshLease, ct)) break;
            var current = await store.GetContextAsync(connectionId, ct);
            if (current is null || current.Status != ConnectionStatus.Active) return RefreshOutcome.Expired;
            if (!wait || System.Diagnostics.Stopwatch.GetElapsedTime(waitStarted) > o.RefreshLease) return RefreshOutcome.Busy;
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct); // another node is refreshing; look again shortly
        }

        var released = false;
        try
        {
            // Read again under the lease: another node may have refreshed while this one waited.
            var connection = await store.GetContextAsync(connectionId, ct);
            if (connection is null || connection.Status != ConnectionStatus.Active) return RefreshOutcome.Expired;
            // Not due (refreshed meanwhile, or a retry is scheduled), unless the token is about to lapse.
            var checkedAt = time.GetUtcNow();
            if (connection.RefreshAt is { } due && due > checkedAt && !(connection.TokenExpiresAt is { } lapses && lapses - checkedAt < Skew)) return RefreshOutcome.Fresh;

            var values = await store.OpenAsync(connection.SealedCredentials, connection.IntegrationId, connection.AuthType, ct);
            var app = catalog.Find(connection.AppKey);
            var clientCredentials = app?.Auth.GetValueOrDefault(AppManifest.OAuth2)?.GrantType == "client_credentials";
            var client = clientCredentials && values.TryGetValue("client_id", out var ownId)
                ? new OAuthClient(ownId, values.GetValueOrDefault("client_secret"), null)
                : await clients.FindAsync(connection.OrgId, connection.Environment, connection.AppKey, ct);
            var refreshToken = values.GetValueOrDefault("refresh_token");
            if (app is null || client is null || (refreshToken is null && !clientCredentials))
            {
                // Nothing to refresh with: the token lives until it expires, then the customer must reconnect.
                await store.ExpireAsync(connectionId, time.GetUtcNow(), ct);
                released = true;
                return RefreshOutcome.Expired;
            }

            // A client-credentials token is renewed by asking again; others spend their refresh token.
            var result = refreshToken is null
                ? await endpoint.ClientCredentialsAsync(app, client.ClientId, client.ClientSecret, client.Scopes ?? app.Auth[AppManifest.OAuth2].Scopes, values, ct)
                : await endpoint.RefreshAsync(app, client, refreshToken, values, ct);
            var now = time.GetUtcNow();
            if (result.Ok)
            {
                foreach (var (key, value) in result.Fields) values[key] = value;
                if ((result.RefreshToken ?? refreshToken) is { } kept) values["refresh_token"] = kept; // kept when the provider does not rotate it
                values.Remove("expires_in");
                if (result.ExpiresAt is { } at) values["expires_at"] = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                else values.Remove("expires_at");
                var schedule = OAuthSchedule.For(values, now, o);
                await store.StoreRefreshedAsync(connection, owner, values, schedule.TokenExpiresAt, schedule.RefreshAt, now, ct);
                released = true;
                logger.LogInformation("Refreshed the {AppSlug} token of connection {ConnectionId}", connection.AppKey, connectionId);
                return RefreshOutcome.Refreshed;
            }
            if (result.Rejected)
            {
                await store.ExpireAsync(connectionId, now, ct);
                released = true;
                logger.LogWarning("{AppSlug} refused to refresh connection {ConnectionId} ({Reason}); it needs reconnecting",
                    connection.AppKey, connectionId, result.Error);
                return RefreshOutcome.Expired;
            }
            var backoff = TimeSpan.FromSeconds(30 * Math.Pow(2, Math.Min(connection.RefreshFailures, 8)));
            await store.DeferRefreshAsync(connectionId, owner, now + backoff, now, ct);
            released = true;
            logger.LogWarning("Refreshing the {AppSlug} token of connection {ConnectionId} failed ({Reason}); retrying in {Backoff}",
                connection.AppKey, connectionId, result.Error, backoff);
            return RefreshOutcome.Failed;
        }
        finally
        {
            if (!released) await store.ReleaseRefreshAsync(connectionId, owner, CancellationToken.None);
        }
    }
}

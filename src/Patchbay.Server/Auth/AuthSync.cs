using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using Patchbay.Data;

namespace Patchbay.Auth;

// Keeps every node's view of revoked API keys and sessions current, so a regenerated key or a revoked token stops
// working on all nodes, not just the one that handled the change:
// - PostgreSQL: each node LISTENs on one channel; the revoking transaction NOTIFYs, delivered at commit.
// - A periodic re-read of recent revocations covers notifications missed while a listener reconnected, and
//   changes made by another process on an SQLite file.
public sealed class AuthSync(
    Db db, ApiKeyCache keys, ApiKeyStore keyStore, SessionTokens sessions, SessionStore sessionStore,
    StartupGate startup, TimeProvider time, IOptions<AuthOptions> options, ILogger<AuthSync> logger) : BackgroundService
{
    public const string Channel = "patchbay_auth";

    // Revocations are re-read with this much overlap, to absorb clock skew between nodes and slow commits.
    static readonly TimeSpan Overlap = TimeSpan.FromMinutes(5);

    DateTimeOffset lastReconcile = time.GetUtcNow();

    public static string KeyRevoked(string keyHash) => "k:" + keyHash;

    public static string SessionRevoked(string sessionId, DateTimeOffset until) =>
        "s:" + sessionId + ":" + until.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public void Apply(string payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.StartsWith("k:", StringComparison.Ordinal))
        {
            keys.Evict(payload[2..]);
        }
        else if (payload.StartsWith("s:", StringComparison.Ordinal) && payload[2..].Split(':') is [var id, var until]
                 && long.TryParse(until, CultureInfo.InvariantCulture, out var seconds))
        {
            sessions.MarkRevoked(id, DateTimeOffset.FromUnixTimeSeconds(seconds));
        }
    }

    public async Task ReconcileAsync(CancellationToken ct)
    {
        var started = time.GetUtcNow();
        var since = lastReconcile - Overlap;
        foreach (var hash in await keyStore.RevokedSinceAsync(since, ct)) keys.Evict(hash);
        foreach (var (id, until) in await sessionStore.RevokedSinceAsync(since, ct)) sessions.MarkRevoked(id, until);
        sessions.PruneRevoked(started);
        lastReconcile = started;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await startup.WaitAsync(stoppingToken)) return;
        var listener = db.Dialect.ListenAsync(Channel, payload =>
        {
            Apply(payload);
            return Task.CompletedTask;
        }, () => ReconcileAsync(stoppingToken), logger, stoppingToken); // anything revoked while this node was not listening
        await Task.WhenAll(listener, ReconcileLoopAsync(stoppingToken));
    }

    async Task ReconcileLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.ReconcileInterval, time, ct);
                await ReconcileAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
            {
                logger.LogWarning(e, "Re-reading revocations failed; retrying next interval");
            }
        }
    }
}

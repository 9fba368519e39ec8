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

    public static string KeyAdded(string keyHash) => "a:" + keyHash;

    bool loaded;

    public static string SessionRevoked(string sessionId, DateTimeOffset until) =>
        "s:" + sessionId + ":" + until.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public async Task ApplyAsync(string payload, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (!payload.StartsWith("a:", StringComparison.Ordinal))
        {
            Apply(payload);
            return;
        }
        var generation = keys.Generation;
        try
        {
            if (await keyStore.FindActiveAsync(payload[2..], ct) is { } row) keys.Add(row, generation);
        }
        catch (Exception e) when (TransientErrors.IsTransient(e))
        {
            logger.LogWarning("Reading a new API key failed ({Error}); the next re-read picks it up", e.GetType().Name);
        }
    }

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
        // Every active key the first time, then those created since: a valid key is known here before its first
        // request, so it never meets the unknown-credential budget of an address flooding bogus keys.
        var generation = keys.Generation;
        foreach (var row in await keyStore.ActiveAsync(loaded ? since : null, ct)) keys.Add(row, generation);
        loaded = true;
        foreach (var hash in await keyStore.RevokedSinceAsync(since, ct)) keys.Evict(hash);
        foreach (var (id, until) in await sessionStore.RevokedSinceAsync(since, ct)) sessions.MarkRevoked(id, until);
        sessions.PruneRevoked(started);
        lastReconcile = started;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await startup.WaitAsync(stoppingToken)) return;
        try
        {
            await ReconcileAsync(stoppingToken); // every active key, before the first request that would look one up
        }
        catch (Exception e) when (TransientErrors.IsTransient(e))
        {
            logger.LogWarning("Loading the active API keys failed ({Error}); retrying next interval", e.GetType().Name);
        }
        var listener = db.Dialect.ListenAsync(Channel, payload => ApplyAsync(payload, stoppingToken),
            () => ReconcileAsync(stoppingToken), logger, stoppingToken); // anything revoked while this node was not listening
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
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException || TransientErrors.IsTransient(e))
            {
                logger.LogWarning(e, "Re-reading revocations failed; retrying next interval");
            }
        }
    }
}

using Microsoft.Extensions.Options;
using Patchbay.Apps;
using Patchbay.Data;
using Patchbay.Workers;

namespace Patchbay.Connections;

// Verifies key-based connections again every RecheckInterval, so a revoked key shows as expired (reauth_required)
// instead of failing later inside a workflow. Rows are claimed with a lease (SKIP LOCKED on PostgreSQL), so any
// number of nodes share the work and none checks a connection twice at once. The provider refusing the credentials
// (401/403) expires the connection; not reaching it retries later with backoff and changes nothing.
public sealed class ConnectionCheckWorker(
    ConnectionStore store, AppCatalog catalog, CredentialVerifier verifier, IOptions<ConnectionOptions> options,
    TimeProvider time, IOptions<WorkerOptions> workerOptions, Data.StartupGate startup, Data.Node node, ILogger<ConnectionCheckWorker> logger)
    : PollingWorker(time, workerOptions, startup, node, logger)
{
    readonly string workerId = node.Owner("connection-checks");

    protected override TimeSpan Interval => TimeSpan.FromMinutes(1);

    public override async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        var o = options.Value;
        if (o.RecheckInterval is not { Ticks: > 0 } interval) return false;
        var now = Time.GetUtcNow();
        var (count, claimed) = await store.ClaimForRecheckAsync(workerId, now, o.Lease, o.BatchSize, ct);
        foreach (var connection in claimed)
        {
            using var scope = logger.BeginScope(new Dictionary<string, object> { ["ConnectionId"] = connection.Id, ["AppSlug"] = connection.AppKey });
            await CheckAsync(connection, interval, ct);
        }
        return count == o.BatchSize;
    }

    async Task CheckAsync(RecheckClaim connection, TimeSpan interval, CancellationToken ct)
    {
        var app = catalog.Find(connection.AppKey);
        if (app is null || !app.Auth.TryGetValue(connection.AuthType, out var auth) || auth.Verify is null)
        {
            await store.FinishRecheckAsync(connection.Id, workerId, RecheckOutcome.Unverifiable, now: Time.GetUtcNow(), next: null, ct); // nothing to check it with any more
            return;
        }
        var values = await store.OpenAsync(new ConnectionRow
        {
            Id = connection.Id, IntegrationId = connection.IntegrationId, AuthType = connection.AuthType, Status = ConnectionStatus.Active,
            SealedCredentials = connection.SealedCredentials,
        }, ct);
        var result = await verifier.VerifyAsync(app, connection.AuthType, values, ct);
        var now = Time.GetUtcNow();
        if (result.Ok)
        {
            await store.FinishRecheckAsync(connection.Id, workerId, RecheckOutcome.Verified, now, now + interval, ct);
        }
        else if (result.Rejected)
        {
            await store.FinishRecheckAsync(connection.Id, workerId, RecheckOutcome.Rejected, now, null, ct);
            logger.LogInformation("Connection expired: {AppSlug} refused its credentials ({Reason})", connection.AppKey, result.Reason);
        }
        else
        {
            var backoff = TimeSpan.FromMinutes(5 * Math.Pow(2, Math.Min(connection.CheckFailures, 10)));
            await store.FinishRecheckAsync(connection.Id, workerId, RecheckOutcome.Deferred, now, now + (backoff < interval ? backoff : interval), ct);
            logger.LogWarning("Could not re-check a {AppSlug} connection: {Reason}", connection.AppKey, result.Reason);
        }
    }
}

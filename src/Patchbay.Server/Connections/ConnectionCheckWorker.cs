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
    Db db, ConnectionStore store, AppCatalog catalog, CredentialVerifier verifier, IOptions<ConnectionOptions> options,
    TimeProvider time, IOptions<WorkerOptions> workerOptions, ILogger<ConnectionCheckWorker> logger)
    : PollingWorker(time, workerOptions, logger)
{
    readonly string workerId = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    protected override TimeSpan Interval => TimeSpan.FromMinutes(1);

    sealed record Claimed
    {
        public required string Id { get; init; }
        public required string AppKey { get; init; }
        public required string AuthType { get; init; }
        public required string IntegrationId { get; init; }
        public required string SealedCredentials { get; init; }
        public int CheckFailures { get; init; }
    }

    public override async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        var o = options.Value;
        if (o.RecheckInterval is not { Ticks: > 0 } interval) return false;
        var now = Time.GetUtcNow();
        var ids = await db.InTransactionAsync(tx => tx.QueryAsync<string>($"""
            update connections set lease_owner = @worker, lease_until = @leaseUntil
            where id in (
                select id from connections
                where status = 'active' and next_check_at <= @now and (lease_until is null or lease_until < @now)
                order by next_check_at
                limit @limit
                {db.Dialect.SkipLocked})
            returning id
            """, new { worker = workerId, now, leaseUntil = now + o.Lease, limit = o.BatchSize }, ct), ct);
        if (ids.Count == 0) return false;

        var claimed = await db.QueryAsync<Claimed>($"""
            select c.id, i.app_key, c.auth_type, c.integration_id, c.sealed_credentials, c.check_failures
            from connections c join integrations i on i.id = c.integration_id
            where {db.Dialect.InList("c.id", "ids")} and c.lease_owner = @worker
            """, new { ids, worker = workerId }, ct);
        foreach (var connection in claimed)
        {
            using var scope = logger.BeginScope(new Dictionary<string, object> { ["ConnectionId"] = connection.Id, ["AppSlug"] = connection.AppKey });
            await CheckAsync(connection, interval, ct);
        }
        return ids.Count == o.BatchSize;
    }

    async Task CheckAsync(Claimed connection, TimeSpan interval, CancellationToken ct)
    {
        var app = catalog.Find(connection.AppKey);
        if (app is null || !app.Auth.TryGetValue(connection.AuthType, out var auth) || auth.Verify is null)
        {
            await FinishAsync(connection.Id, "next_check_at = null", new { }, ct); // nothing to check it with any more
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
            await FinishAsync(connection.Id, "last_verified_at = @now, next_check_at = @next, check_failures = 0",
                new { now, next = now + interval }, ct);
        }
        else if (result.Rejected)
        {
            await FinishAsync(connection.Id, "status = 'expired', next_check_at = null, updated_at = @now", new { now }, ct);
            logger.LogInformation("Connection expired: {AppSlug} refused its credentials ({Reason})", connection.AppKey, result.Reason);
        }
        else
        {
            var backoff = TimeSpan.FromMinutes(5 * Math.Pow(2, Math.Min(connection.CheckFailures, 10)));
            await FinishAsync(connection.Id, "check_failures = check_failures + 1, next_check_at = @next",
                new { next = now + (backoff < interval ? backoff : interval) }, ct);
            logger.LogWarning("Could not re-check a {AppSlug} connection: {Reason}", connection.AppKey, result.Reason);
        }
    }

    // Applies the outcome and drops the lease, unless the connection was saved again meanwhile (which clears it),
    // and refreshes its integration's summary in the same transaction.
    Task FinishAsync(string id, string set, object args, CancellationToken ct)
    {
        var parameters = new Dapper.DynamicParameters(args);
        parameters.Add("id", id);
        parameters.Add("worker", workerId);
        return db.InTransactionAsync(async tx =>
        {
            var changed = await tx.ExecuteAsync(
                $"update connections set {set}, lease_owner = null, lease_until = null where id = @id and lease_owner = @worker", parameters, ct);
            if (changed > 0) await ConnectionStore.SummarizeAsync(tx, "id = (select integration_id from connections where id = @id)", new { id }, ct);
        }, ct);
    }
}

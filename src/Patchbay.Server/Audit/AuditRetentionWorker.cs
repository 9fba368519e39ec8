using Microsoft.Extensions.Options;
using Patchbay.Data;
using Patchbay.Workers;

namespace Patchbay.Audit;

// Deletes entries older than Patchbay:Audit:RetentionDays. Deleting is idempotent, so every node may run it without
// a lease.
public sealed class AuditRetentionWorker(AuditStore store, IOptions<AuditOptions> options, TimeProvider time,
    IOptions<WorkerOptions> workerOptions, StartupGate startup, Node node, ILogger<AuditRetentionWorker> logger)
    : PollingWorker(time, workerOptions, startup, node, logger)
{
    const int Batch = 1000;

    protected override TimeSpan Interval => options.Value.RetentionInterval;

    public override async Task<bool> RunOnceAsync(CancellationToken ct) =>
        await store.DeleteOlderThanAsync(Time.GetUtcNow() - TimeSpan.FromDays(options.Value.RetentionDays), Batch, ct) >= Batch;
}

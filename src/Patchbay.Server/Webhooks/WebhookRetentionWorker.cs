using Microsoft.Extensions.Options;
using Patchbay.Data;
using Patchbay.Workers;

namespace Patchbay.Webhooks;

// Deletes delivered and failed messages (with their attempts) once their retention has passed. Deleting is idempotent,
// so every node may run it without a lease.
public sealed class WebhookRetentionWorker(WebhookStore store, IOptions<WebhookOptions> options, TimeProvider time,
    IOptions<WorkerOptions> workerOptions, StartupGate startup, Data.Node node, ILogger<WebhookRetentionWorker> logger)
    : PollingWorker(time, workerOptions, startup, node, logger)
{
    const int Batch = 1000;

    protected override TimeSpan Interval => TimeSpan.FromMinutes(5);

    public override async Task<bool> RunOnceAsync(CancellationToken ct) =>
        await store.DeleteExpiredAsync(Time.GetUtcNow(), options.Value.Retention, Batch, ct) >= Batch;
}

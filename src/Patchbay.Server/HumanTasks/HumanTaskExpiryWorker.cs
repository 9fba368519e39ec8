using Patchbay.Data;
using Patchbay.Workers;
using Microsoft.Extensions.Options;

namespace Patchbay.HumanTasks;

// Marks expired human tasks TIMEOUT and wakes their executions, which then take the node's timeout branch. The
// execution would wake at the expiry anyway (its run_at is the expiry); this makes the task's status right even while
// the execution worker is busy, and for any server. Rows are claimed with a lease (LeasedWork).
public sealed class HumanTaskExpiryWorker(
    HumanTaskStore store, Outbox outbox, TimeProvider time, IOptions<WorkerOptions> workerOptions, StartupGate startup, Data.Node node, ILogger<HumanTaskExpiryWorker> logger)
    : PollingWorker(time, workerOptions, startup, node, logger)
{
    const int Batch = 100;
    readonly string owner = node.Owner("human-task-expiry");

    protected override TimeSpan Interval => TimeSpan.FromSeconds(15);

    public override async Task<bool> RunOnceAsync(CancellationToken ct) =>
        await store.ExpireDueAsync(owner, outbox, Time.GetUtcNow(), TimeSpan.FromMinutes(1), Batch, ct) == Batch;
}

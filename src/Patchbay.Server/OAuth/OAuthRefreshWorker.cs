using Microsoft.Extensions.Options;
using Patchbay.Connections;
using Patchbay.Workers;

namespace Patchbay.OAuth;

// Refreshes OAuth tokens ahead of expiry, on whichever node gets to each connection first (the refresh lease keeps
// the others off), and sweeps spent authorization states.
public sealed class OAuthRefreshWorker(
    ConnectionStore store, OAuthTokens tokens, OAuthStateStore states, IOptions<OAuthOptions> options,
    TimeProvider time, IOptions<WorkerOptions> workerOptions, Data.StartupGate startup, Data.Node node, ILogger<OAuthRefreshWorker> logger)
    : PollingWorker(time, workerOptions, startup, node, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(30);

    public override async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        var now = Time.GetUtcNow();
        await states.DeleteExpiredAsync(now - TimeSpan.FromHours(1), ct);
        var due = await store.DueForRefreshAsync(now, options.Value.RefreshBatchSize, ct);
        foreach (var id in due) await tokens.RefreshAsync(id, wait: false, ct);
        return due.Count == options.Value.RefreshBatchSize;
    }
}

using Microsoft.Extensions.Options;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Hosted;
using Patchbay.Workers;

namespace Patchbay.Sessions;

// Deletes session rows a day after their refresh token expired: by then no token naming them can validate, so
// their revocation no longer needs remembering. Expired hosted-page properties and connect codes go too.
public sealed class SessionCleanupWorker(SessionStore store, HostedStore hosted, TimeProvider time, IOptions<WorkerOptions> options,
    StartupGate startup, Data.Node node, ILogger<SessionCleanupWorker> logger)
    : PollingWorker(time, options, startup, node, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    public override async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        var deleted = await store.DeleteExpiredAsync(Time.GetUtcNow() - TimeSpan.FromDays(1), ct);
        await hosted.DeleteExpiredAsync(Time.GetUtcNow(), ct); // hosted-page properties and connect codes past their time
        if (deleted > 0) logger.LogInformation("Deleted {Count} expired sessions", deleted);
        return false;
    }
}

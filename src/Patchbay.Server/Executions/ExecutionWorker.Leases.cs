using Patchbay.Workers;

namespace Patchbay.Executions;

// Handing leases back: when the server stops, and when the database failed under an execution.
public sealed partial class ExecutionWorker
{
    // Hands the execution's lease back, retrying while the database is unreachable (a few seconds at most: past
    // that the lease expires, or a live node finds this one dead, and the execution is resumed all the same).
    async Task HandBackAsync(string id)
    {
        var backoff = Backoff.None;
        for (var attempt = 0; attempt < 6; attempt++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await store.ReleaseLeaseAsync(Owner, id, timeout.Token);
                return;
            }
            catch (Exception e) when (Data.TransientErrors.IsTransient(e) || e is OperationCanceledException)
            {
                backoff = backoff.Next(TimeSpan.FromMilliseconds(250));
                await Task.Delay(backoff.Delay, time, CancellationToken.None);
            }
        }
        LogHandBackFailed(logger, id);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Execution {ExecutionId} met a transient database error ({Error}: {Message}); it resumes from its last checkpoint")]
    static partial void LogTransient(ILogger logger, string executionId, string error, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Claiming executions failed: the database is unreachable ({Error}); retrying in {Delay}")]
    static partial void LogClaimBackoff(ILogger logger, string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Execution {ExecutionId}'s lease could not be handed back; it comes back when the lease expires")]
    static partial void LogHandBackFailed(ILogger logger, string executionId);
}

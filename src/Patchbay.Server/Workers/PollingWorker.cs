using Microsoft.Extensions.Options;
using Patchbay.Data;

namespace Patchbay.Workers;

public sealed class WorkerOptions
{
    public const string Section = "Patchbay:Workers";

    // Tests turn workers off and drive RunOnceAsync themselves.
    public bool Enabled { get; set; } = true;

    /// <summary>How long the outbox worker holds a claimed message: a node that dies mid-handling leaves it to
    /// another node after this long.</summary>
    [Configuration.Duration("00:00:01", "01:00:00")]
    public TimeSpan OutboxLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the outbox worker looks for new messages (how soon after a change its effects start).</summary>
    [Configuration.Duration("00:00:00.010", "00:01:00")]
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>After SIGTERM, how long a step in flight may run to its checkpoint before it is abandoned (and its
    /// lease handed back, so another node runs it again). Claiming stops at once either way.</summary>
    [Configuration.Duration("00:00:00", "00:05:00")]
    public TimeSpan ShutdownDrain { get; set; } = TimeSpan.FromSeconds(10);
}

// Runs RunOnceAsync on a fixed cadence, once start-up has finished. A tick that filled its batch runs again at once.
// While the database is unreachable the worker backs off (doubling up to 5 s) instead of logging an error a tick; it
// claims nothing once the server begins to stop (the tick in flight finishes, then Cluster/ hands the leases back).
public abstract class PollingWorker(TimeProvider time, IOptions<WorkerOptions> options, StartupGate startup, Node node, ILogger logger) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    protected abstract TimeSpan Interval { get; }

    // Claims and processes one batch. Returns true when the batch was full, so more work may be waiting.
    public abstract Task<bool> RunOnceAsync(CancellationToken ct);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled || !await startup.WaitAsync(stoppingToken)) return;

        using var claiming = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, node.Stopping);
        using var timer = new PeriodicTimer(Interval, Time);
        var backoff = Backoff.None;
        do
        {
            try
            {
                while (!node.IsStopping && await RunOnceAsync(stoppingToken)) { }
                backoff = Backoff.None;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return; // shutdown is not an error
            }
            catch (Exception e) when (TransientErrors.IsTransient(e))
            {
                backoff = backoff.Next(Interval);
                logger.LogWarning("{Worker} tick failed: the database is unreachable ({Error}); retrying in {Delay}", GetType().Name, e.GetType().Name, backoff.Delay);
                if (backoff.Delay > Interval && !await DelayAsync(backoff.Delay - Interval, claiming.Token)) return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "{Worker} tick failed", GetType().Name);
            }
        }
        while (!node.IsStopping && await WaitAsync(timer, claiming.Token));
    }

    static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }

    async Task<bool> DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, Time, ct);
            return true;
        }
        catch (OperationCanceledException) { return false; }
    }
}

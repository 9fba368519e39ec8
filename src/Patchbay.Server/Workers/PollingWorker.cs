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
}

// Runs RunOnceAsync on a fixed cadence, once start-up has finished. A tick that filled its batch runs again at once.
public abstract class PollingWorker(TimeProvider time, IOptions<WorkerOptions> options, StartupGate startup, ILogger logger) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    protected abstract TimeSpan Interval { get; }

    // Claims and processes one batch. Returns true when the batch was full, so more work may be waiting.
    public abstract Task<bool> RunOnceAsync(CancellationToken ct);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled || !await startup.WaitAsync(stoppingToken)) return;

        using var timer = new PeriodicTimer(Interval, Time);
        do
        {
            try
            {
                while (await RunOnceAsync(stoppingToken)) { }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return; // shutdown is not an error
            }
            catch (Exception e)
            {
                logger.LogError(e, "{Worker} tick failed", GetType().Name);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }
}

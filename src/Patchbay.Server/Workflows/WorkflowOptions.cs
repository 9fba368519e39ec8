using Patchbay.Configuration;

namespace Patchbay.Workflows;

public sealed class WorkflowOptions
{
    public const string Section = "Patchbay:Workflows";

    /// <summary>How long a node holds an execution it runs; renewed while it runs, reclaimed by others after a crash.</summary>
    [Duration("00:00:01", "1.00:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Executions one server runs at once.</summary>
    [Between(1, 100_000)]
    public int Concurrency { get; set; } = 64;

    /// <summary>How often idle workers look for due executions and schedules (new local work wakes them at once).</summary>
    [Duration("00:00:00.010", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a synchronous execute waits for the workflow before answering with its status.</summary>
    [Duration("00:00:00.100", "01:00:00")]
    public TimeSpan SyncTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [Duration("00:00:00.100", "01:00:00")]

    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Window in which an event with the same idempotency key is recorded as DUPLICATE instead of run.</summary>
    [Duration("00:00:00", "30.00:00:00")]
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromMinutes(5);
}

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

    /// <summary>Wall time of one code run, enforced inside a single statement too (the sandbox process is killed).</summary>
    [Duration("00:00:00.010", "00:10:00")]
    public TimeSpan CodeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Memory a code run may hold at once: the sandbox process's heap is capped at this plus the runtime's share.</summary>
    [Between(1_048_576, 68_719_476_736)]
    public long CodeMemoryBytes { get; set; } = 128 * 1024 * 1024;

    [Between(1, int.MaxValue)]

    public int CodeMaxStatements { get; set; } = 10_000_000;

    [Between(1, 100_000)]

    public int CodeMaxRecursion { get; set; } = 256;

    [Between(1, 100_000_000)]

    public int CodeMaxArraySize { get; set; } = 1_000_000;

    /// <summary>Size of a code node's result as JSON (UTF-8 bytes).</summary>
    [Between(1024, 1_073_741_824)]
    public int CodeMaxOutputBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>Sandbox processes per server: code runs at once (more wait for a free one).</summary>
    [Between(1, 1024)]
    public int CodeWorkers { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>Window in which an event with the same idempotency key is recorded as DUPLICATE instead of run.</summary>
    [Duration("00:00:00", "30.00:00:00")]
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromMinutes(5);
}

namespace Patchbay.Workflows;

public sealed class WorkflowOptions
{
    public const string Section = "Patchbay:Workflows";

    /// <summary>How long a node holds an execution it runs; renewed while it runs, reclaimed by others after a crash.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Executions one server runs at once.</summary>
    public int Concurrency { get; set; } = 64;

    /// <summary>How often idle workers look for due executions and schedules (new local work wakes them at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a synchronous execute waits for the workflow before answering with its status.</summary>
    public TimeSpan SyncTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan CodeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Bytes a code node may allocate in one run (Jint counts allocations, not what stays live).</summary>
    public long CodeMemoryBytes { get; set; } = 128 * 1024 * 1024;

    public int CodeMaxStatements { get; set; } = 10_000_000;

    public int CodeMaxRecursion { get; set; } = 256;

    public int CodeMaxArraySize { get; set; } = 1_000_000;

    /// <summary>Window in which an event with the same idempotency key is recorded as DUPLICATE instead of run.</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromMinutes(5);
}

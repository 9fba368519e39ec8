using Patchbay.Configuration;

namespace Patchbay.Sandbox;

// The code sandbox's limits. They are written under Patchbay:Workflows (where users look for them: they are the
// limits of code nodes), bound here so the sandbox needs nothing from the workflow engine.
public sealed class SandboxOptions
{
    public const string Section = "Patchbay:Workflows";

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
}

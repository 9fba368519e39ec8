namespace Patchbay.Workers;

// Exponential backoff for a worker whose database is unreachable: from its base delay, doubling, at most 5 s, with
// jitter so that nodes recovering together do not knock in step.
public readonly record struct Backoff(int Failures, TimeSpan Delay)
{
    public static Backoff None => default;

    static readonly TimeSpan Max = TimeSpan.FromSeconds(5);

    public Backoff Next(TimeSpan baseDelay)
    {
        var failures = Math.Min(Failures + 1, 16);
        var delay = TimeSpan.FromTicks(Math.Min(Max.Ticks, baseDelay.Ticks * (1L << Math.Min(failures - 1, 10))));
        var jitter = 0.75 + (Random.Shared.NextDouble() / 2); // 0.75–1.25
        return new(failures, TimeSpan.FromTicks((long)(delay.Ticks * jitter)));
    }
}

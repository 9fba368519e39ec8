using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Workers;

namespace Patchbay.Webhooks;

// Sends due webhook messages. Each tick claims as many due messages as this node has free attempt slots (LeasedWork:
// SKIP LOCKED on PostgreSQL, so two nodes never take the same message), starts one attempt per message without
// waiting for the others (a slow receiver holds only its own attempts), and writes the finished attempts of the
// previous ticks in one transaction. A node that dies leaves its claimed messages to the others when the lease ends:
// delivery is at least once, duplicates only for attempts in flight at the crash. Ordering is not promised.
public sealed partial class WebhookDeliveryWorker(
    WebhookStore store, ApiKeyStore keys, WebhookSender sender, IOptions<WebhookOptions> options, TimeProvider time,
    IOptions<WorkerOptions> workerOptions, StartupGate startup, Data.Node node, ILogger<WebhookDeliveryWorker> logger)
    : PollingWorker(time, workerOptions, startup, node, logger)
{
    readonly string owner = node.Owner("webhook-deliveries");
    readonly ConcurrentDictionary<string, Task> inFlight = new(StringComparer.Ordinal);
    readonly ConcurrentQueue<AttemptOutcome> finished = new();
    readonly SemaphoreSlim flushing = new(1, 1);

    WebhookOptions Options => options.Value;

    protected override TimeSpan Interval => Options.PollInterval;

    // Covers the longest attempt (a throttled one waits up to a second for its slot) with room to write its outcome;
    // a dead node's messages are sent again by another node once it ends.
    TimeSpan Lease => (Options.Timeout * 2) + TimeSpan.FromSeconds(5);

    public int InFlight => inFlight.Count;

    // Attempts this node started (tests and benchmarks compare nodes).
    public long Started => Interlocked.Read(ref started);

    long started;

    public override async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        await FlushAsync(ct);
        var capacity = Math.Min(Options.BatchSize, Options.MaxConcurrency - inFlight.Count);
        if (capacity <= 0) return false;
        var now = Time.GetUtcNow();
        var claimed = await store.ClaimAsync(owner, now, Lease, capacity, ct);
        if (claimed.Count == 0) return false;

        var hooks = (await store.ByIdsAsync(claimed.Select(m => m.WebhookId).Distinct().ToList(), ct)).ToDictionary(h => h.Id, StringComparer.Ordinal);
        var environments = hooks.Values.Select(h => (h.OrgId, h.Environment)).Distinct().ToList();
        var apiKeys = (await keys.SealedActiveAsync(environments, ct)).ToDictionary(k => (k.OrgId, k.Environment));
        var settings = (await store.SettingsForAsync(environments.Select(e => e.OrgId).Distinct().ToList(), ct))
            .ToDictionary(s => (s.OrgId, s.Environment));

        foreach (var group in claimed.GroupBy(m => m.WebhookId, StringComparer.Ordinal))
        {
            if (!hooks.TryGetValue(group.Key, out var hook)) continue; // deleted meanwhile, its messages with it
            var policy = DeliveryPolicy.For(Options, settings.GetValueOrDefault((hook.OrgId, hook.Environment)));
            var messages = group.ToList();
            if (!hook.IsEnabled)
            {
                foreach (var m in messages) finished.Enqueue(sender.Skipped(m, hook, now));
                continue;
            }
            var slots = new DateTimeOffset?[messages.Count];
            if (hook.RateLimit is { } rate)
            {
                var (reserved, next) = await store.ReserveSlotsAsync(hook.Id, rate, messages.Count, now, ct);
                for (var i = 0; i < reserved.Count; i++) slots[i] = reserved[i];
                if (reserved.Count < messages.Count)
                {
                    await store.DeferAsync(messages.Skip(reserved.Count).Select(m => m.Id).ToList(), owner, next, ct);
                    messages = messages.Take(reserved.Count).ToList();
                }
            }
            var key = apiKeys.GetValueOrDefault((hook.OrgId, hook.Environment));
            for (var i = 0; i < messages.Count; i++) Start(messages[i], hook, key.Id is null ? null : (key.Id, key.SealedKey), policy, slots[i], ct);
        }
        return claimed.Count == capacity;
    }

    void Start(WebhookMessageRow message, WebhookRow hook, (string Id, string? Sealed)? apiKey, DeliveryPolicy policy, DateTimeOffset? slot, CancellationToken ct)
    {
        Interlocked.Increment(ref started);
        var attempt = Task.Run(async () =>
        {
            if (slot is { } at && at - Time.GetUtcNow() is { Ticks: > 0 } wait) await Task.Delay(wait, Time, ct);
            var outcome = await sender.AttemptAsync(message, hook, apiKey, policy, ct);
            if (outcome is not null) finished.Enqueue(outcome);
        }, ct);
        inFlight[message.Id] = attempt;
        _ = attempt.ContinueWith(_ => inFlight.TryRemove(message.Id, out var _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // Writes the outcomes of finished attempts (one transaction for many), and reports subscriptions it disabled.
    public async Task FlushAsync(CancellationToken ct)
    {
        await flushing.WaitAsync(ct);
        try
        {
            while (!finished.IsEmpty)
            {
                var batch = new List<AttemptOutcome>();
                while (batch.Count < 500 && finished.TryDequeue(out var outcome)) batch.Add(outcome);
                await store.RecordAsync(batch, owner, Time.GetUtcNow(), ct);
                foreach (var disabled in batch.Where(o => o.DisableReason is not null).DistinctBy(o => o.WebhookId))
                    LogDisabled(Logger, disabled.WebhookId, disabled.DisableReason!);
            }
        }
        finally
        {
            flushing.Release();
        }
    }

    // Waits for the attempts in flight and writes their outcomes (tests, benchmarks, shutdown).
    public async Task WaitIdleAsync(CancellationToken ct)
    {
        while (!inFlight.IsEmpty) await Task.WhenAll(inFlight.Values.ToArray()).WaitAsync(ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await FlushAsync(ct);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await WaitIdleAsync(cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or System.Data.Common.DbException)
        {
            // Unwritten outcomes come back as due messages when their lease ends (at least once).
        }
    }

    ILogger Logger => logger;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} was disabled: {Reason}")]
    static partial void LogDisabled(ILogger logger, string webhookId, string reason);
}

// The retry schedule and auto-disable period that apply to an org (its own settings, else the server's).
public sealed record DeliveryPolicy(IReadOnlyList<TimeSpan> Schedule, TimeSpan DisableAfter)
{
    public static DeliveryPolicy For(WebhookOptions options, WebhookSettingsRow? settings)
    {
        ArgumentNullException.ThrowIfNull(options);
        var schedule = settings?.RetrySchedule is { } stored ? WebhookOptions.ParseSchedule(stored) ?? options.Schedule() : options.Schedule();
        var disableAfter = settings?.DisableAfterSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : options.DisableAfter;
        return new(schedule, disableAfter);
    }
}

using System.Reflection;
using Microsoft.Extensions.Options;
using Patchbay.Data;
using Patchbay.Executions;

namespace Patchbay.Cluster;

// This node's membership of the cluster: a heartbeat row (id, version, start, last seen, executions in flight), the
// live node count the rate limits divide by, and the reaping of dead nodes: a node not seen for DeadAfter has its
// leases handed back (every LeasedWork queue) and its row removed, so its work resumes within seconds.
//
// A node reaps others only once its own heartbeats have succeeded for DeadAfter without a break: after a database
// outage, when nobody could heartbeat, every node first catches up on its own row before judging another's.
//
// Registered before every worker, so the host stops it after them: by then nothing is in flight here, and it hands
// back whatever leases this node still holds (executions parked between steps, deliveries, schedules, refreshes)
// and removes its row, so other nodes take the work at their next poll rather than when the leases expire.
public sealed partial class Membership(
    Db db, NodeStore store, Node node, IServiceProvider services, IOptions<ClusterOptions> options, IOptions<Workers.WorkerOptions> workers,
    StartupGate startup, TimeProvider time, ILogger<Membership> logger) : BackgroundService
{
    static readonly string Version = typeof(Membership).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    int liveNodes = 1;
    DateTimeOffset? healthySince;

    // Nodes seen within DeadAfter, this one included (at least 1).
    public int LiveNodes => Volatile.Read(ref liveNodes);

    // This node's share of a cluster-wide rate limit: 1 / live nodes where several nodes share the database and the
    // shared limits are on; 1 otherwise (an SQLite server is the whole cluster).
    public double RateShare => options.Value.SharedRateLimits && db.Dialect.ServesManyNodes ? 1.0 / LiveNodes : 1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await startup.WaitAsync(stoppingToken)) return;
        node.StartedAt = time.GetUtcNow();
        var o = options.Value;
        using var timer = new PeriodicTimer(o.HeartbeatInterval, time);
        do
        {
            try
            {
                await BeatAsync(o, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (TransientErrors.IsTransient(e))
            {
                healthySince = null;
                LogHeartbeatFailed(logger, e.GetType().Name);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    // One heartbeat: record this node, count the live ones, reap the dead.
    public async Task BeatAsync(ClusterOptions o, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(o);
        var now = time.GetUtcNow();
        var executions = services.GetService<ExecutionWorker>();
        await store.HeartbeatAsync(new NodeRow
        {
            Id = node.Id, Version = Version, StartedAt = node.StartedAt == default ? now : node.StartedAt, LastSeenAt = now,
            WorkInFlight = executions?.InFlight ?? 0,
        }, ct);
        healthySince ??= now;
        Volatile.Write(ref liveNodes, Math.Max(1, await store.CountLiveAsync(now - o.DeadAfter, ct)));
        // Reaping is background work: a node running none (Workers:Enabled=false) leaves it to the others.
        if (now - healthySince < o.DeadAfter || node.IsStopping || !workers.Value.Enabled) return;
        foreach (var dead in await store.DeadAsync(now - o.DeadAfter, node.Id, ct))
        {
            var released = await LeasedWork.ReleaseNodeAsync(db, dead, ct);
            await store.RemoveAsync(dead, now - o.DeadAfter, ct);
            LogReaped(logger, dead, released);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!startup.IsOpen) return;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var released = await LeasedWork.ReleaseNodeAsync(db, node.Id, timeout.Token);
            await store.RemoveAsync(node.Id, timeout.Token);
            LogLeft(logger, released);
        }
        catch (Exception e) when (TransientErrors.IsTransient(e) || e is OperationCanceledException)
        {
            LogLeaveFailed(logger, e.GetType().Name);
        }
    }

    static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeId} stopped heartbeating: {Released} leases handed back")]
    static partial void LogReaped(ILogger logger, string nodeId, int released);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leaving the cluster: {Released} leases handed back")]
    static partial void LogLeft(ILogger logger, int released);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat failed: the database is unavailable ({Error})")]
    static partial void LogHeartbeatFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leaving the cluster: the leases could not be handed back ({Error}); they expire instead")]
    static partial void LogLeaveFailed(ILogger logger, string error);
}

using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Patchbay.EnvironmentVariables;
using Patchbay.Workers;
using Patchbay.Workflows;
using Patchbay.Workflows.Engine;

namespace Patchbay.Executions;

// Runs executions. Each server claims due executions with a lease, up to Concurrency at once, and drives each one
// node by node: the engine says what runs, the runner does the IO, and the step is checkpointed (state, node run,
// effects: one transaction, only while the lease holds) before the next one starts. Leases are renewed while work is
// in flight; a server that dies leaves leases that expire, and any server picks the executions up again from their
// last checkpoint. A synchronous execute runs here too, inline, on an execution created already leased to this server.
// When the server begins to stop (SIGTERM) it claims nothing more; each execution in flight ends its current step,
// checkpoints and hands its lease back at once (a step still running after WorkerOptions.ShutdownDrain is abandoned
// and its lease handed back too), so another server resumes it within a poll. A transient database error (a dropped
// connection, a failover) never fails an execution: the lease is handed back and the execution resumes from its last
// checkpoint.
public sealed partial class ExecutionWorker(
    ExecutionStore store, WorkflowStore workflows, IWorkflowConfigs configs, NodeRunner runner, WorkflowEnvironment environment, IOptions<WorkflowOptions> options,
    IOptions<WorkerOptions> workerOptions, Data.StartupGate startup, Data.Node node, TimeProvider time, ILogger<ExecutionWorker> logger) : BackgroundService
{
    readonly SemaphoreSlim wake = new(0);
    // Cancelled ShutdownDrain after the server begins to stop: steps still running then are abandoned.
    readonly CancellationTokenSource abandon = new();
    readonly ConcurrentDictionary<string, Task> inflight = new(StringComparer.Ordinal);
    // Per workflow version: whether its graph reads {{config…}} (versions never change).
    readonly ConcurrentDictionary<string, bool> readsConfig = new(StringComparer.Ordinal);

    long started;

    public string Owner { get; } = node.Owner("executions");

    // How many executions this server is running now (membership reports it).
    public int InFlight => inflight.Count;

    // How many executions this server has taken up (claimed, or run inline): a counter for operators and tests.
    public long Started => Interlocked.Read(ref started);

    // New local work: look now rather than at the next poll.
    public void Wake()
    {
        if (wake.CurrentCount == 0) wake.Release();
    }

    // Claims one batch and runs it until every execution in it completes or parks. For tests and the loop below.
    public async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        var limit = options.Value.Concurrency;
        var claimed = await ClaimAsync(limit, ct, ct);
        await Task.WhenAll(claimed);
        return claimed.Count == limit;
    }

    // `run` bounds the executions claimed (besides the drain after SIGTERM), `ct` the claim itself.
    async Task<List<Task>> ClaimAsync(int limit, CancellationToken ct, CancellationToken run)
    {
        if (limit <= 0 || node.IsStopping) return [];
        var now = time.GetUtcNow();
        var rows = await store.ClaimAsync(Owner, now, now + options.Value.LeaseDuration, limit, ct);
        return [.. rows.Select(row => Track(row, run))];
    }

    Task Track(ExecutionRow row, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Already running here (its lease ran out while this server was busy, and this server claimed it again):
        // the running task keeps it; the claim only renewed the lease.
        if (!inflight.TryAdd(row.Id, done.Task)) return inflight.TryGetValue(row.Id, out var running) ? running : Task.CompletedTask;
        Interlocked.Increment(ref started);
        _ = RunTrackedAsync(row, done, ct);
        return done.Task;
    }

    async Task RunTrackedAsync(ExecutionRow row, TaskCompletionSource done, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, abandon.Token);
        try
        {
            var handBack = await ProcessAsync(row, linked.Token);
            // Stopping, or the database failed under it: whatever lease this server still holds goes back now.
            if (handBack || node.IsStopping) await HandBackAsync(row.Id);
        }
        finally
        {
            inflight.TryRemove(row.Id, out _); // before anyone awaiting it resumes, so a new claim is never mistaken for this run
            done.SetResult();
            Wake();
        }
    }

    // Runs an execution this server holds the lease of, until it completes, parks, fails or loses the lease.
    public Task RunLeasedAsync(ExecutionRow row, CancellationToken ct) => Track(row, ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!workerOptions.Value.Enabled || !await startup.WaitAsync(stoppingToken)) return;
        var o = options.Value;
        var drain = workerOptions.Value.ShutdownDrain;
        await using var onStopping = node.Stopping.Register(() => abandon.CancelAfter(drain));
        using var claiming = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, node.Stopping);
        using var heartbeat = new PeriodicTimer(o.LeaseDuration / 3, time);
        var renewing = RenewAsync(heartbeat, stoppingToken);
        var backoff = Backoff.None;
        while (!claiming.IsCancellationRequested)
        {
            var pause = o.PollInterval;
            try
            {
                // The executions run past the stop signal: they end at their next checkpoint, or at the drain's end.
                var started = await ClaimAsync(o.Concurrency - inflight.Count, claiming.Token, CancellationToken.None);
                backoff = Backoff.None;
                if (started.Count > 0 && inflight.Count < o.Concurrency) continue; // maybe more is due
            }
            catch (OperationCanceledException) when (claiming.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (Data.TransientErrors.IsTransient(e))
            {
                backoff = backoff.Next(o.PollInterval);
                pause = backoff.Delay;
                LogClaimBackoff(logger, e.GetType().Name, pause);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Claiming executions failed");
            }
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(claiming.Token);
                var delay = Task.Delay(pause, time, timeout.Token);
                await Task.WhenAny(delay, wake.WaitAsync(timeout.Token));
                await timeout.CancelAsync();
            }
            catch (OperationCanceledException) when (claiming.IsCancellationRequested)
            {
                break;
            }
        }
        // Stopping: the executions in flight end their step (or are abandoned after the drain) and hand back their leases.
        await Task.WhenAll([.. inflight.Values]);
        await renewing;
    }

    async Task RenewAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (inflight.IsEmpty) continue;
                try { await store.RenewLeasesAsync(Owner, [.. inflight.Keys], time.GetUtcNow() + options.Value.LeaseDuration, ct); }
                catch (Exception e) when (e is not OperationCanceledException) { logger.LogError(e, "Renewing execution leases failed"); }
            }
        }
        catch (OperationCanceledException) { }
    }

    // Runs the execution; true when its lease must be handed back (the database failed under it, or the server is
    // stopping and the step was abandoned).
    async Task<bool> ProcessAsync(ExecutionRow row, CancellationToken ct)
    {
        await Task.Yield();
        try
        {
            await StepAllAsync(row, ct);
            return false;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: another server (or this one, restarted) resumes from the checkpoint.
            return true;
        }
        catch (Exception e) when (Data.TransientErrors.IsTransient(e))
        {
            // Not the execution's fault: it resumes from its last checkpoint, here or on another server.
            LogTransient(logger, row.Id, e.GetType().Name, e.Message);
            return true;
        }
        catch (Exception e)
        {
            // A fault of Patchbay's, not of the workflow: the execution ends ERRORED rather than hold its lease forever.
            logger.LogError(e, "Execution {ExecutionId} failed in the engine", row.Id);
            try
            {
                await FinishAsync(row, ExecutionState.Deserialize((await store.GetAsync(row.Id, CancellationToken.None))?.State ?? row.State),
                    ExecutionStatus.Errored, "Patchbay could not run this execution (an internal error; see the server log)", null);
            }
            catch (Exception again)
            {
                logger.LogError(again, "Execution {ExecutionId} could not be marked errored; its lease will expire", row.Id);
            }
            return false;
        }
    }

    async Task StepAllAsync(ExecutionRow row, CancellationToken ct)
    {
        var state = ExecutionState.Deserialize(row.State);
        var payload = JsonNode.Parse(row.Payload);
        if (row.Status == ExecutionStatus.Stopping)
        {
            await FinishAsync(row, state, ExecutionStatus.Stopped, null, null);
            return;
        }
        WorkflowDefinition definition;
        try
        {
            definition = await workflows.DefinitionAsync(row.WorkflowId, ct);
        }
        catch (InvalidOperationException e)
        {
            await FinishAsync(row, state, ExecutionStatus.Errored, e.Message, null);
            return;
        }
        var hasWaits = definition.Nodes.Any(n => n.Type is NodeTypes.WaitWebhook or NodeTypes.HumanTask);
        // {{env.NAME}}: read (encrypted values opened) each time this server takes the execution up, kept in memory
        // only; the redactor keeps the opened values out of everything the execution records.
        var (env, redactor) = (new JsonObject(), Redactor.None);
        if (ReadsEnvironment(definition))
        {
            try
            {
                (env, redactor) = await environment.ForExecutionAsync(row.OrgId, row.Environment, row.LinkedAccountRowId, row.WorkflowDraftId, ct);
            }
            catch (WorkflowEnvironment.UnreadableException e)
            {
                await FinishAsync(row, state, ExecutionStatus.Errored, e.Message, null);
                return;
            }
        }
        var baseContext = new JsonObject
        {
            ["env"] = env,
            ["payload"] = payload,
            ["execution"] = new JsonObject { ["id"] = row.Id, ["type"] = row.Type, ["source"] = row.Source },
            ["workflow"] = new JsonObject { ["id"] = row.WorkflowDraftId, ["version_id"] = row.WorkflowId, ["name"] = row.WorkflowName },
            ["linked_account"] = new JsonObject { ["id"] = row.AccountId },
            ["config_id"] = row.ConfigId,
        };
        var config = readsConfig.GetOrAdd(row.WorkflowId, _ => definition.ToJson().ToJsonString().Contains("config.", StringComparison.Ordinal))
            ? await configs.ContextAsync(row, ct)
            : null;
        if (config is not null)
        {
            baseContext["config"] = config.Config;
            if (config.Secrets.Count > 0) redactor = redactor.With(config.Secrets); // opened password fields
        }

        while (true)
        {
            var now = time.GetUtcNow();
            if (row.TimeoutAt is { } timeoutAt && now >= timeoutAt)
            {
                await FinishAsync(row, state, ExecutionStatus.TimedOut, "The execution ran past its timeout", null);
                return;
            }
            var plan = WorkflowEngine.Next(definition, state, baseContext);
            if (plan is null)
            {
                await FinishAsync(row, state, ExecutionStatus.Completed, null, null);
                return;
            }
            var effects = new StepEffects();
            NodeOutcome outcome;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                if (row.TimeoutAt is { } t) deadline.CancelAfter(t - now);
                try
                {
                    outcome = WorkflowEngine.RunPure(plan, now) ?? await runner.RunAsync(plan, row, effects, deadline.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await FinishAsync(row, state, ExecutionStatus.TimedOut, $"The execution ran past its timeout in node '{plan.Node.Name}'", plan.Node.Id);
                    return;
                }
            }
            var finished = time.GetUtcNow();
            if (!redactor.IsEmpty)
            {
                outcome = redactor.Redact(outcome);
                plan = plan with { Settings = redactor.Redact(plan.Settings) }; // what the node run records as its input
                if (effects.Child is { } child) effects.Child = child with { Payload = redactor.Redact(JsonNode.Parse(child.Payload))?.ToJsonString() ?? "{}" };
            }
            var advance = WorkflowEngine.Apply(definition, state, plan, outcome, finished);
            var (status, runAt, keep) = advance.Result switch
            {
                StepResult.Continue => (ExecutionStatus.Running, (DateTimeOffset?)finished, true),
                StepResult.Retry => (ExecutionStatus.Running, advance.RunAt, false),
                StepResult.Parked => (ExecutionStatus.Running, Earliest(advance.RunAt, row.TimeoutAt), false),
                StepResult.Completed => (ExecutionStatus.Completed, null, false),
                _ => (ExecutionStatus.Errored, null, false),
            };
            var final = ExecutionStatus.IsFinal(status);
            var after = await store.CheckpointAsync(new Checkpoint
            {
                Id = row.Id, Owner = Owner, State = state.Serialize(), Status = status, RunAt = runAt, KeepLease = keep,
                CurrentNode = final ? null : state.Tokens.FirstOrDefault()?.Node ?? plan.Node.Id, Record = advance.Record, StartedAt = now,
                ReturnValue = state.Response?.ToJsonString() ?? (final && state.ResponseStatus is not null ? "null" : null), ReturnStatus = state.ResponseStatus,
                Error = advance.Error, ParentExecutionId = row.ParentExecutionId, Effects = effects, Now = finished, MayHaveWaits = hasWaits,
            });
            if (after is null)
            {
                logger.LogWarning("Execution {ExecutionId} was reclaimed by another server; this server's step is discarded", row.Id);
                return;
            }
            if (advance.Result == StepResult.Retry)
                logger.LogInformation("Node {NodeId} of execution {ExecutionId} failed ({Error}); retrying at {RetryAt}", plan.Node.Id, row.Id, advance.Error, runAt);
            if (after != ExecutionStatus.Running || !keep) return;
            if (node.IsStopping) return; // checkpointed: the lease goes back and another server takes the next step
        }
    }

    // Only a workflow that mentions env (a template or code) has its variables read; decided once per version (the
    // store shares each version's parsed definition).
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<WorkflowDefinition, object> ReadsEnv = [];

    static bool ReadsEnvironment(WorkflowDefinition definition) =>
        (bool)ReadsEnv.GetValue(definition, d => d.Nodes.Any(n => n.Data.ToJsonString().Contains("env", StringComparison.Ordinal)));

    static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    Task<string?> FinishAsync(ExecutionRow row, ExecutionState state, string status, string? error, string? node)
    {
        var now = time.GetUtcNow();
        return store.CheckpointAsync(new Checkpoint
        {
            Id = row.Id, Owner = Owner, State = state.Serialize(), Status = status, CurrentNode = node, StartedAt = now, Error = error,
            ParentExecutionId = row.ParentExecutionId, Now = now,
        });
    }
}

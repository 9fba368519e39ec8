using Patchbay.Executions;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Patchbay.Data;
using Patchbay.Workers;
using Patchbay.Workflows;

namespace Patchbay.Schedules;

// Starts due schedules: claims them with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL), and in one transaction
// inserts the execution and moves the schedule to its next occurrence. Runs missed while no server ran collapse into
// one run.
public sealed class ScheduleWorker(
    Db db, ScheduleStore schedules, WorkflowStore workflows, IWorkflowConfigs configs, ExecutionWorker executions, IOptions<WorkflowOptions> options, TimeProvider time,
    IOptions<WorkerOptions> workerOptions, StartupGate startup, Data.Node node, ILogger<ScheduleWorker> logger) : PollingWorker(time, workerOptions, startup, node, logger)
{
    const int Batch = 50;
    readonly string owner = node.Owner("schedules");

    protected override TimeSpan Interval => options.Value.PollInterval;

    public override async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        var now = Time.GetUtcNow();
        var due = await schedules.ClaimDueAsync(owner, now, options.Value.LeaseDuration, Batch, ct);
        var started = 0;
        foreach (var s in due)
        {
            try
            {
                if (await StartAsync(s, now, ct)) started++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One broken schedule must not hold back the others: it is paused, with the reason in the log.
                logger.LogError(e, "Schedule {ScheduleId} could not start its run; pausing it", s.Id);
                await schedules.PauseFailedAsync(s.Id, now, ct);
            }
        }
        if (started > 0) executions.Wake();
        return due.Count == Batch;
    }

    async Task<bool> StartAsync(ScheduleRow s, DateTimeOffset now, CancellationToken ct)
    {
        var version = await workflows.LiveVersionAsync(s.OrgId, s.Environment, s.WorkflowId, ct);
        var next = ScheduleTimes.Next(s, now);
        ExecutionRow? row = null;
        // A public workflow runs only while the schedule's config enables it; the schedule moves on either way.
        if (version is { IsPrivate: false } && !await configs.IsEnabledAsync(s.LinkedAccountRowId, version.Slug, s.ConfigId, version.DraftId!, ct))
        {
            logger.LogInformation("Schedule {ScheduleId} skipped a run: workflow {WorkflowId} is not enabled in config {ConfigId}", s.Id, s.WorkflowId, s.ConfigId);
        }
        else if (version is not null)
        {
            var definition = await workflows.DefinitionAsync(version.Id, ct);
            row = ExecutionFactory.New(version, definition, s.OrgId, s.Environment, s.LinkedAccountRowId, s.AccountId, s.ConfigId,
                JsonNode.Parse(s.Payload)!, ExecutionTypes.Async, ExecutionSources.Schedule, null, null, now);
        }
        else
        {
            logger.LogWarning("Schedule {ScheduleId} fired but workflow {WorkflowId} has no published version", s.Id, s.WorkflowId);
        }
        await db.InTransactionAsync(async tx =>
        {
            if (row is not null) await ExecutionStore.CreateAsync(tx, row, ct);
            await ScheduleStore.AdvanceAsync(tx, s.Id, owner, next, now, ct);
        }, ct);
        return row is not null;
    }
}

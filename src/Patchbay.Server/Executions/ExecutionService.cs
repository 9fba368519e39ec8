using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.LinkedAccounts;
using Patchbay.Workflows;

namespace Patchbay.Executions;

// Starts executions (API calls, events, schedules, reruns) and runs synchronous ones inline.
public sealed class ExecutionService(
    Db db, ExecutionStore executions, WorkflowStore workflows, ExecutionWorker worker, LinkedAccountStore accounts,
    IOptions<WorkflowOptions> options, TimeProvider time)
{
    public async Task<LinkedAccountRow> AccountAsync(Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return await accounts.ForCallerAsync(caller, ct)
            ?? throw new ApiException(caller.LinkedAccountNotFound(caller.AccountId));
    }

    public async Task<ExecutionRow> StartAsync(WorkflowRow version, LinkedAccountRow account, string configId, JsonNode payload, bool sync,
        string source, string? instanceTag, CancellationToken ct, string? name = null, TimeSpan? syncTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(account);
        var definition = await workflows.DefinitionAsync(version.Id, ct);
        var now = time.GetUtcNow();
        var row = ExecutionFactory.New(version, definition, account.OrgId, account.Environment, account.Id, account.AccountId, configId, payload,
            sync ? ExecutionTypes.Sync : ExecutionTypes.Async, source, instanceTag, null, now, name);
        if (!sync)
        {
            await executions.CreateAsync(row, ct);
            worker.Wake();
            return row;
        }
        // Created already leased to this server, and run here: no hop through the queue.
        row = row with { LeaseOwner = worker.Owner, LeaseUntil = now + options.Value.LeaseDuration };
        await executions.CreateAsync(row, ct);
        try
        {
            await worker.RunLeasedAsync(row, CancellationToken.None).WaitAsync(syncTimeout ?? options.Value.SyncTimeout, ct);
        }
        catch (TimeoutException)
        {
            // Still running (a delay, a slow call): the answer says so; the execution goes on.
        }
        return await executions.GetAsync(row.Id, ct) ?? row;
    }

    // Events: every live workflow listening to the event for this account starts, in one transaction.
    public async Task<int> FireAsync(IReadOnlyList<WorkflowRow> versions, LinkedAccountRow account, string configId, JsonNode payload, string eventName,
        string? instanceTag, string? idempotencyKey, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(versions);
        if (versions.Count == 0) return 0;
        var now = time.GetUtcNow();
        var rows = new List<ExecutionRow>();
        foreach (var version in versions)
        {
            var definition = await workflows.DefinitionAsync(version.Id, ct);
            rows.Add(ExecutionFactory.New(version, definition, account.OrgId, account.Environment, account.Id, account.AccountId, configId, payload,
                ExecutionTypes.Async, eventName, instanceTag, idempotencyKey, now));
        }
        await db.InTransactionAsync(async tx =>
        {
            // Events with one key fired at once take turns, so exactly one of them runs.
            if (idempotencyKey is not null) await tx.Dialect.LockKeyAsync(tx, $"{account.Id}/{idempotencyKey}", ct);
            var duplicate = idempotencyKey is not null && await ExecutionStore.IsDuplicateEventAsync(
                tx, account.OrgId, account.Environment, account.Id, idempotencyKey, now - options.Value.IdempotencyWindow, ct);
            foreach (var row in rows)
            {
                await ExecutionStore.CreateAsync(tx, duplicate
                    ? row with { Status = ExecutionStatus.Duplicate, RunAt = null, CompletedAt = now, Error = $"Duplicate of an event with idempotency key {idempotencyKey}" }
                    : row, ct);
            }
        }, ct);
        worker.Wake();
        return rows.Count;
    }
}

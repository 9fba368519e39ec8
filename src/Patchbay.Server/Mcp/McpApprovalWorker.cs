using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Patchbay.Data;
using Patchbay.HumanTasks;
using Patchbay.Workers;

namespace Patchbay.Mcp;

// Settles held tool calls whose human task was answered or expired: "approve" runs the call once, for the server's
// account, and records it in the tool-call log; "reject" and expiry close it unrun. Rows are claimed with a lease
// (LeasedWork), and a call runs only after its PENDING → RUNNING move succeeds, so no two servers run one call.
public sealed class McpApprovalWorker(
    McpApprovalStore store, HumanTaskStore tasks, McpServerStore servers, McpToolbox toolbox, Vault.Vault vault, IOptions<McpOptions> options,
    TimeProvider time, IOptions<WorkerOptions> workerOptions, StartupGate startup, Node node, ILogger<McpApprovalWorker> logger)
    : PollingWorker(time, workerOptions, startup, node, logger)
{
    const int Batch = 20;
    readonly string owner = node.Owner("mcp-approvals");

    protected override TimeSpan Interval => options.Value.ApprovalPollInterval;

    public override async Task<bool> RunOnceAsync(CancellationToken ct)
    {
        var claimed = await store.ClaimDecidedAsync(owner, Time.GetUtcNow(), TimeSpan.FromMinutes(10), Batch, ct);
        foreach (var approval in claimed) await SettleAsync(approval, ct);
        return claimed.Count == Batch;
    }

    async Task SettleAsync(McpApprovalRow approval, CancellationToken ct)
    {
        var started = Time.GetTimestamp();
        var task = await tasks.GetAsync(approval.TaskHash, ct);
        var decision = task is null ? null : McpApprovals.Decision(task);
        var server = await servers.GetAsync(approval.ServerId, ct);
        if (server is null || server.LinkedAccountRowId != approval.LinkedAccountRowId)
        {
            await store.MoveAsync(approval.Id, owner, McpApprovalStatus.Expired, Time.GetUtcNow(), ct);
            return; // the server is gone (its log entries stay)
        }
        var context = new McpCallContext(server, McpCredentialKinds.McpToken);
        if (decision != McpApprovals.Approve)
        {
            var status = decision == McpApprovals.Reject ? McpApprovalStatus.Rejected : McpApprovalStatus.Expired;
            if (await store.MoveAsync(approval.Id, owner, status, Time.GetUtcNow(), ct))
            {
                await toolbox.RecordAsync(context, approval.Tool, McpCallStatus.Rejected, started,
                    status == McpApprovalStatus.Rejected ? "Rejected by a person" : "Nobody approved the call before its form expired", approval.Id, ct);
            }
            return;
        }
        if (!await store.MoveAsync(approval.Id, owner, McpApprovalStatus.Running, Time.GetUtcNow(), ct)) return;

        McpToolOutcome outcome;
        var tool = server.Enabled ? (await toolbox.ListAsync(context, ct)).FirstOrDefault(t => t.Name == approval.Tool) : null;
        if (tool is null)
        {
            outcome = McpToolOutcome.Failed(server.Enabled ? "The server no longer offers this tool" : "The server is disabled");
        }
        else
        {
            try
            {
                var arguments = JsonNode.Parse((await vault.OpenAsync(approval.Arguments, McpApprovals.SealContext(approval.Id), ct)).Value) as JsonObject ?? [];
                outcome = await toolbox.RunAsync(context, tool, arguments, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                outcome = McpToolOutcome.Failed($"The tool failed ({e.GetType().Name})");
            }
        }
        var result = vault.Seal(outcome.ToJson().ToJsonString(), McpApprovals.SealContext(approval.Id) + "/result");
        await store.FinishAsync(approval.Id, outcome.Success ? McpApprovalStatus.Done : McpApprovalStatus.Failed, result, Time.GetUtcNow(), CancellationToken.None);
        await toolbox.RecordAsync(context, approval.Tool, outcome.Success ? McpCallStatus.Approved : McpCallStatus.Error, started, outcome.Error, approval.Id, ct);
    }
}

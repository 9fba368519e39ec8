using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Patchbay.Data;
using Patchbay.HumanTasks;

namespace Patchbay.Mcp;

// Safe mode: a write tool call on a safe-mode server is held. Holding writes, in one transaction, the call (its
// arguments sealed by the vault, bound to the row) and a standalone human task whose form asks a person to approve
// or reject it; the task's link goes back to the agent. McpApprovalWorker runs the call once when the form is
// submitted with "approve", and never when it is rejected or expires.
public sealed class McpApprovals(Db db, McpApprovalStore store, Vault.Vault vault, Auth.ApiKeyHasher hasher, IOptions<McpOptions> options, TimeProvider time)
{
    public const string Approve = "approve";
    public const string Reject = "reject";

    // What a person sees of the arguments: enough to decide, bounded.
    const int MaxShownArguments = 4000;

    public async Task<McpHold> HoldAsync(McpCallContext context, McpToolSpec tool, JsonObject arguments, string publicBase, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(arguments);
        var now = time.GetUtcNow();
        var expiresAt = now + options.Value.ApprovalLifetime;
        var publicId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)); // the form's link, its only credential
        var id = Ids.New(now);
        var shown = arguments.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        if (shown.Length > MaxShownArguments) shown = shown[..MaxShownArguments] + "\n…";
        var task = new HumanTaskRow
        {
            Id = HumanTaskIds.Hash(publicId), OrgId = context.OrgId, Environment = context.Environment, ExecutionId = null,
            NodeId = "mcp/" + context.Server.Id, Name = $"Approve the tool call {tool.Name}",
            Description = $"An AI agent using the MCP server \"{context.Server.Name}\" of linked account {context.AccountId} asks to run {tool.Name}. "
                + "It runs once if you approve, and never if you reject or let this form expire.",
            FormStructure = Form.ToJsonString(), UiStructure = Ui.ToJsonString(), TaskGroup = "mcp",
            Data = new JsonObject { ["tool"] = tool.Name, ["arguments"] = shown }.ToJsonString(), ReceiverEmails = "[]",
            Status = HumanTaskStatus.Waiting, ExpiresAt = expiresAt, CreatedAt = now, UpdatedAt = now,
        };
        var row = new McpApprovalRow
        {
            Id = id, OrgId = context.OrgId, Environment = context.Environment, LinkedAccountRowId = context.AccountRowId, ServerId = context.Server.Id,
            Tool = tool.Name, Arguments = vault.Seal(arguments.ToJsonString(), SealContext(id)), TaskHash = task.Id,
            TaskRef = vault.Seal(publicId, SealContext(id) + "/task"), Fingerprint = Fingerprint(tool, arguments), Status = McpApprovalStatus.Pending,
            CreatedAt = now, UpdatedAt = now,
        };
        await db.InTransactionAsync(async tx =>
        {
            await HumanTaskStore.CreateAsync(tx, task);
            await McpApprovalStore.InsertAsync(tx, row, ct);
        }, ct);
        return new McpHold(id, HumanTasksApi.PageUrl(publicBase, publicId), expiresAt);
    }

    public static string SealContext(string approvalId) => Vault.Vault.Context("mcp_approvals", approvalId);

    // Which call this is, keyed (like API keys) so that the table alone tells nothing about the arguments.
    string Fingerprint(McpToolSpec tool, JsonObject arguments) => hasher.Hash(tool.Name + "\n" + arguments.ToJsonString());

    // A client retrying a held call after URL-mode elicitation: the call still waiting (its hold again), or its outcome
    // once settled (handed out once), or null when there is none and the call is to be held anew.
    public async Task<(McpHold? Waiting, McpToolOutcome? Outcome)> RetryAsync(
        McpCallContext context, McpToolSpec tool, JsonObject arguments, string publicBase, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(tool);
        var row = await store.FindUndeliveredAsync(context.Server.Id, Fingerprint(tool, arguments), ct);
        if (row is null) return (null, null);
        if (row.Status is McpApprovalStatus.Pending or McpApprovalStatus.Running)
        {
            var publicId = (await vault.OpenAsync(row.TaskRef, SealContext(row.Id) + "/task", ct)).Value;
            return (new McpHold(row.Id, HumanTasksApi.PageUrl(publicBase, publicId), row.CreatedAt + options.Value.ApprovalLifetime), null);
        }
        if (!await store.DeliverAsync(row.Id, ct)) return (null, null);
        if (row.Result is { } sealedResult)
        {
            var json = JsonNode.Parse((await vault.OpenAsync(sealedResult, SealContext(row.Id) + "/result", ct)).Value)!;
            return (null, new McpToolOutcome(json["success"]?.GetValue<bool>() == true, json["data"]?.DeepClone(), json["error"]?.GetValue<string>()));
        }
        return (null, McpToolOutcome.Failed(row.Status == McpApprovalStatus.Rejected
            ? "A person rejected this call; it did not run" : "Nobody approved this call in time; it did not run"));
    }

    // The decision a submitted form carries (null when it carries none).
    public static string? Decision(HumanTaskRow task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.Status != HumanTaskStatus.Submitted || task.SubmittedData is null) return null;
        return JsonNode.Parse(task.SubmittedData)?["decision"]?.GetValueKind() == JsonValueKind.String
            ? JsonNode.Parse(task.SubmittedData)!["decision"]!.GetValue<string>()
            : null;
    }

    static readonly JsonObject Form = new()
    {
        ["type"] = "object",
        ["required"] = new JsonArray("decision"),
        ["properties"] = new JsonObject
        {
            ["tool"] = new JsonObject { ["type"] = "string", ["title"] = "Tool", ["readOnly"] = true },
            ["arguments"] = new JsonObject { ["type"] = "string", ["title"] = "Arguments", ["readOnly"] = true },
            ["decision"] = new JsonObject
            {
                ["type"] = "string", ["title"] = "Decision", ["enum"] = new JsonArray(Approve, Reject),
            },
        },
        ["additionalProperties"] = false,
    };

    static readonly JsonObject Ui = new()
    {
        ["arguments"] = new JsonObject { ["ui:widget"] = "textarea" },
        ["decision"] = new JsonObject { ["ui:widget"] = "radio" },
    };
}

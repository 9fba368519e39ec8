using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Patchbay.Data;
using Patchbay.RateLimits;

namespace Patchbay.Mcp;

// A call as the toolbox answers it: the outcome, or a hold (a safe-mode write waiting for a person's approval).
public sealed record McpCallAnswer(McpToolOutcome Outcome, McpHold? Hold = null);

public sealed record McpHold(string ApprovalId, string Url, DateTimeOffset ExpiresAt);

// `Elicit`: the client handles URL-mode elicitation, so a hold is answered with one and the client retries the call
// once the person has answered; the retry gets the held call's outcome.
public sealed record McpCallOptions(string PublicBase, bool Elicit);

// The tools a server offers its account, and the calls to them: limited per account, held for approval on a
// safe-mode server when they write, each recorded in the tool-call log (tool, status, duration; no arguments).
public sealed class McpToolbox(
    IEnumerable<IMcpToolSource> sources, McpApprovals approvals, McpToolCallStore log, TokenBuckets buckets, IOptionsMonitor<RateLimitOptions> limits,
    IOptionsMonitor<McpOptions> options, TimeProvider time)
{
    readonly IReadOnlyList<IMcpToolSource> sources = [.. sources];

    public async Task<IReadOnlyList<McpToolSpec>> ListAsync(McpCallContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var tools = new List<McpToolSpec>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var app in context.Server.Apps())
        {
            foreach (var source in sources)
            {
                foreach (var tool in await source.ListAsync(context, app, ct))
                {
                    // Two targets with one name: the later one is told apart by its id.
                    var named = names.Add(tool.Name) ? tool : tool with { Name = McpToolNames.Disambiguate(tool.Name, tool.Kind, tool.TargetId) };
                    if (!ReferenceEquals(named, tool) && !names.Add(named.Name)) continue;
                    tools.Add(named);
                }
            }
        }
        return tools;
    }

    public async Task<McpCallAnswer?> CallAsync(McpCallContext context, string name, JsonObject arguments, McpCallOptions call, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = time.GetTimestamp();
        var tool = (await ListAsync(context, ct)).FirstOrDefault(t => t.Name == name);
        if (tool is null) return null;

        var o = limits.CurrentValue;
        var rate = options.CurrentValue.ToolCallsPerSecond ?? o.PermitsPerSecond;
        if (o.Enabled && !buckets.TryAcquire($"mcp:{context.OrgId}:{context.Environment}:{context.AccountRowId}", rate, options.CurrentValue.ToolCallBurst ?? o.Burst).Allowed)
        {
            var limited = McpToolOutcome.Failed($"Rate limit exceeded: {rate:0.###} tool calls per second for this account; retry shortly");
            await RecordAsync(context, tool.Name, McpCallStatus.RateLimited, started, limited.Error, null, ct);
            return new McpCallAnswer(limited);
        }

        if (context.Server.SafeMode && tool.IsWrite)
        {
            ArgumentNullException.ThrowIfNull(call);
            if (call.Elicit)
            {
                var (waiting, settled) = await approvals.RetryAsync(context, tool, arguments, call.PublicBase, ct);
                if (settled is not null)
                {
                    await RecordAsync(context, tool.Name, McpCallStatus.Delivered, started, settled.Error, null, ct);
                    return new McpCallAnswer(settled);
                }
                if (waiting is not null)
                {
                    await RecordAsync(context, tool.Name, McpCallStatus.Held, started, null, waiting.ApprovalId, ct);
                    return new McpCallAnswer(Pending(waiting), waiting);
                }
            }
            var hold = await approvals.HoldAsync(context, tool, arguments, call.PublicBase, ct);
            await RecordAsync(context, tool.Name, McpCallStatus.Held, started, null, hold.ApprovalId, ct);
            return new McpCallAnswer(Pending(hold), hold);
        }

        McpToolOutcome outcome;
        try
        {
            outcome = await RunAsync(context, tool, arguments, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Whatever failed is the tool's error, not the protocol's: the agent reads it and the server stays up.
            outcome = McpToolOutcome.Failed($"The tool failed ({e.GetType().Name})");
        }
        await RecordAsync(context, tool.Name, outcome.Success ? McpCallStatus.Success : McpCallStatus.Error, started, outcome.Error, null, ct);
        return new McpCallAnswer(outcome);
    }

    static McpToolOutcome Pending(McpHold hold) => McpToolOutcome.Failed(PendingMessage, new JsonObject
    {
        ["status"] = "pending_approval",
        ["approval_id"] = hold.ApprovalId,
        ["approval_url"] = hold.Url,
        ["expires_at"] = JsonValue.Create(hold.ExpiresAt),
    });

    public const string PendingMessage = "This call needs a person's approval before it runs";

    // Runs the tool, with no hold and no log entry: for a direct call, and for an approved held call.
    public Task<McpToolOutcome> RunAsync(McpCallContext context, McpToolSpec tool, JsonObject arguments, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tool);
        var source = sources.First(s => s.Kind == tool.Kind);
        return source.CallAsync(context, tool, arguments, ct);
    }

    public Task RecordAsync(McpCallContext context, string tool, string status, long started, string? error, string? approvalId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = time.GetUtcNow();
        return log.InsertAsync(new McpToolCallRow
        {
            Id = Ids.New(now), OrgId = context.OrgId, Environment = context.Environment, LinkedAccountRowId = context.AccountRowId,
            ServerId = context.Server.Id, Tool = tool, Status = status, DurationMs = (long)time.GetElapsedTime(started).TotalMilliseconds,
            Error = error, ApprovalId = approvalId, CreatedAt = now,
        }, CancellationToken.None);
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.HumanTasks;

// What the human-task tests share: an approval workflow, and reading the waiting task's id from the execution.
public static class HumanTaskApi
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    // start → approve (human_task: amount prefilled read-only, approved required) → condition on the answer → a
    // response per branch; the task's timeout edge answers "expired" (left out with `timeoutBranch: false`).
    public static JsonObject ApprovalFlow(int expireSeconds = 3600, bool timeoutBranch = true, bool askName = false)
    {
        var properties = new Dictionary<string, object>();
        if (askName) properties["approver"] = new { type = "string", title = "Your name", description = "Who approves" };
        properties["amount"] = new { type = "number", title = "Amount", readOnly = true };
        properties["approved"] = new { type = "boolean", title = "Approve?" };
        properties["reason"] = new { type = "string", title = "Reason", @enum = new[] { "policy", "goodwill", "error" } };
        properties["comment"] = new { type = "string", title = "Comment", maxLength = 200 };
        properties["refund_on"] = new { type = "string", format = "date", title = "Refund on" };
        properties["tags"] = new { type = "array", title = "Tags", items = new { type = "string" } };
        var nodes = new List<object>
        {
            Node("start", "start"),
            Node("approve", "human_task", new
            {
                name = "Approve the refund",
                description = "Refund of {{payload.amount}} for {{payload.customer}}",
                group = "finance",
                receiver_emails = new[] { "approver@acme.test" },
                expire_in = expireSeconds,
                form_structure = new
                {
                    type = "object",
                    required = askName ? new[] { "approved", "approver" } : new[] { "approved" },
                    properties,
                },
                ui_structure = new Dictionary<string, object> { ["comment"] = new Dictionary<string, object> { ["ui:widget"] = "textarea" } },
                data = new { amount = "{{payload.amount}}" },
            }),
            Node("decide", "condition", new { left = "{{nodes.approve.output.approved}}", @operator = "equals", right = true }),
            Node("yes", "response", new { body = new { decision = "approved", amount = "{{nodes.approve.output.amount}}", comment = "{{nodes.approve.output.comment}}" } }),
            Node("no", "response", new { body = new { decision = "rejected" } }),
        };
        var edges = new List<object> { Edge("start", "approve"), Edge("approve", "decide"), Edge("decide", "yes", "true"), Edge("decide", "no", "false") };
        if (timeoutBranch)
        {
            nodes.Add(Node("expired", "response", new { status = 202, body = new { decision = "expired" } }));
            edges.Add(Edge("approve", "expired", "timeout"));
        }
        return Graph([.. nodes], [.. edges]);
    }

    // The waiting human_task node's record in the execution: (task id, form URL).
    public static async Task<(string Id, Uri Url)> WaitingTaskAsync(HttpClient client, string executionId)
    {
        var execution = await ExecutionAsync(client, executionId);
        Assert.Equal("RUNNING", execution.Str("status"));
        var node = execution.GetProperty("nodes").EnumerateArray().Last();
        Assert.Equal("approve", node.Str("node_id"));
        Assert.Equal("Waiting", node.Str("node_status"));
        var output = node.GetProperty("latest_output");
        return (output.Str("human_task_id"), new Uri(output.Str("url")));
    }

    public static Task<HttpResponseMessage> SubmitAsync(HttpClient client, string id, object data) =>
        client.PostAsync($"/api/v2/public/human-tasks/{id}", Body(new { data }), Ct);

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}

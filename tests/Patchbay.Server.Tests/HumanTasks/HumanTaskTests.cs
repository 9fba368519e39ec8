using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.HumanTasks;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.HumanTasks.HumanTaskApi;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.HumanTasks;

// human_task nodes and HT1/HT2 (refold-api.md §3.19): an execution parks on a form, the form is read and submitted
// without authentication, the execution resumes with the submitted data; expiry takes the timeout branch.
public abstract class HumanTaskTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    Task<bool> ExpireAsync() => app.Services.GetRequiredService<HumanTaskExpiryWorker>().RunOnceAsync(Ct);

    // The task's status as its row holds it (GET may answer TIMEOUT for a row not yet marked).
    async Task<string> StoredStatusAsync(string taskId) =>
        Assert.Single(await app.Db.QueryAsync<string>("select status from human_tasks where id = @hash", new { hash = HumanTaskIds.Hash(taskId) }, Ct));

    [Fact]
    public async Task Submission_ResumesTheExecution_WithTheSubmittedData_Once()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        var (_, version) = await PublishAsync(client, ApprovalFlow());
        var id = await StartAsync(client, version, new { amount = 120, customer = "Ada" });
        await RunWorkersAsync(app);
        var (taskId, url) = await WaitingTaskAsync(client, id);
        Assert.Matches("^[0-9a-f]{32}$", taskId); // 128 bits
        Assert.Equal($"/human-tasks/{taskId}", url.AbsolutePath);
        // Emails are off by default: the email sender does not listen to new tasks (the outbox still carries them for
        // webhooks), and the outbox never holds the task's id, only the reference it derives from.
        Assert.Equal(HumanTaskTopics.EmailsOff, app.Services.GetServices<Patchbay.Workers.IOutboxHandler>().OfType<HumanTaskEmailSender>().Single().Topic);
        Assert.DoesNotContain(taskId, string.Concat(await app.Db.QueryAsync<string>("select payload from outbox", null, Ct)), StringComparison.Ordinal);

        // HT1 without any credential: the sanitized task, prefilled from the payload.
        var anonymous = app.CreateClient();
        var task = await ApiAssert.OkAsync(await anonymous.GetAsync($"/api/v2/public/human-tasks/{taskId}", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/human-tasks/{id}", 200, task);
        Assert.Equal(taskId, task.Str("_id"));
        Assert.Equal("Approve the refund", task.Str("name"));
        Assert.Equal("Refund of 120 for Ada", task.Str("description"));
        Assert.Equal("finance", task.Str("group"));
        Assert.Equal("WAITING", task.Str("status"));
        Assert.Equal("""{"amount":120}""", task.GetProperty("data").GetRawText());
        Assert.Equal("""["approver@acme.test"]""", task.GetProperty("receiver_emails").GetRawText());
        Assert.Equal("boolean", task.GetProperty("form_structure").GetProperty("properties").GetProperty("approved").Str("type"));
        Assert.Equal("textarea", task.GetProperty("ui_structure").GetProperty("comment").Str("ui:widget"));
        var expires = DateTimeOffset.Parse(task.Str("expire_in"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - app.Time.GetUtcNow(), TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(60));
        foreach (var hidden in new[] { "org_id", "instance_id", "node_id", "execution_id", "delayed_job_id", "associated_form_id" })
            Assert.False(task.TryGetProperty(hidden, out _), hidden);

        // Every documented refusal, and nothing changes.
        await ApiAssert.ErrorAsync(await anonymous.GetAsync("/api/v2/public/human-tasks/" + new string('0', 32), Ct), 404, "NOT_FOUND", "SERVER_ERROR", "Specified Form Not Found");
        await ApiAssert.ErrorAsync(await anonymous.GetAsync("/api/v2/public/human-tasks/not-an-id", Ct), 404, "NOT_FOUND", "SERVER_ERROR", "Specified Form Not Found");
        await ApiAssert.ErrorAsync(await SubmitAsync(anonymous, new string('0', 32), new { approved = true }), 404, "NOT_FOUND", "SERVER_ERROR", "Specified Form Not Found");
        await ApiAssert.ErrorAsync(await anonymous.PostAsync($"/api/v2/public/human-tasks/{taskId}", Body(new { approved = true }), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "'data' must be an object of the form's values");
        await ApiAssert.ErrorAsync(await SubmitAsync(anonymous, taskId, new { comment = "ok" }), 400, "BAD_REQUEST", "VALIDATION_ERROR", "Missing required field 'approved'");
        await ApiAssert.ErrorAsync(await SubmitAsync(anonymous, taskId, new { approved = "yes" }), 400, "BAD_REQUEST", "VALIDATION_ERROR", "Field 'approved' must be of type boolean");
        await ApiAssert.ErrorAsync(await SubmitAsync(anonymous, taskId, new { approved = true, amount = 5000 }), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "Field 'amount' is read-only and cannot be changed");
        await ApiAssert.ErrorAsync(await SubmitAsync(anonymous, taskId, new { approved = true, reason = "whim" }), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "Field 'reason' must be one of \"policy\", \"goodwill\", \"error\"");
        await ApiAssert.ErrorAsync(await SubmitAsync(anonymous, taskId, new { approved = true, refund_on = "31/12/2026" }), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "Field 'refund_on' must be a date (YYYY-MM-DD)");
        await ApiAssert.ErrorAsync(await SubmitAsync(anonymous, taskId, new { approved = true, tags = new object[] { "a", 1 } }), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "Field 'tags' item 1 must be of type string");
        await ApiAssert.ErrorAsync(await anonymous.PostAsync($"/api/v2/public/human-tasks/{taskId}", new StringContent("{", System.Text.Encoding.UTF8, "application/json"), Ct),
            400, "BAD_REQUEST", "INVALID_JSON");
        Assert.Equal("WAITING", (await ApiAssert.OkAsync(await anonymous.GetAsync($"/api/v2/public/human-tasks/{taskId}", Ct))).Str("status"));
        await RunWorkersAsync(app);
        Assert.Equal("RUNNING", (await ExecutionAsync(client, id)).Str("status"));

        // The valid submission (the read-only value may be sent unchanged) resumes it; a second is refused.
        var submitted = await ApiAssert.OkAsync(await SubmitAsync(anonymous, taskId,
            new { approved = true, amount = 120, comment = "fine", reason = "goodwill", refund_on = "2026-12-01", tags = new[] { "vip" } }));
        Assert.Equal("""{"message":"Form submitted successfully"}""", submitted.GetRawText());
        await ApiAssert.ErrorAsync(await SubmitAsync(anonymous, taskId, new { approved = false }), 400, "BAD_REQUEST", "SERVER_ERROR", "Form has already been submitted");
        await RunWorkersAsync(app);

        var done = await ExecutionAsync(client, id);
        Assert.Equal("COMPLETED", done.Str("status"));
        Assert.Equal("""{"decision":"approved","amount":120,"comment":"fine"}""", done.GetProperty("return_value").GetRawText());
        var record = done.GetProperty("nodes").EnumerateArray().Single(n => n.Str("node_id") == "approve");
        Assert.Equal("Success", record.Str("node_status"));
        Assert.Equal("fine", record.GetProperty("latest_output").Str("comment"));
        Assert.Equal(["start", "approve", "decide", "yes"], done.GetProperty("nodes").EnumerateArray().Select(n => n.Str("node_id")));

        var after = await ApiAssert.OkAsync(await anonymous.GetAsync($"/api/v2/public/human-tasks/{taskId}", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/human-tasks/{id}", 200, after);
        Assert.Equal("SUBMITTED", after.Str("status"));
        Assert.True(after.GetProperty("data").GetProperty("approved").GetBoolean());
        Assert.Equal(120, after.GetProperty("data").GetProperty("amount").GetInt32());
        await ApiAssert.ErrorAsync(await SubmitAsync(anonymous, taskId, new { approved = true }), 400, "BAD_REQUEST", "SERVER_ERROR", "Form has already been submitted");
    }

    [Fact]
    public async Task Rejection_TakesTheFalseBranch()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        var (_, version) = await PublishAsync(client, ApprovalFlow());
        var id = await StartAsync(client, version, new { amount = 5, customer = "Bo" });
        await RunWorkersAsync(app);
        var (taskId, _) = await WaitingTaskAsync(client, id);
        await ApiAssert.OkAsync(await SubmitAsync(app.CreateClient(), taskId, new { approved = false }));
        await RunWorkersAsync(app);
        var done = await ExecutionAsync(client, id);
        Assert.Equal("""{"decision":"rejected"}""", done.GetProperty("return_value").GetRawText());
    }

    [Fact]
    public async Task Expiry_MarksTheTaskTimeout_RefusesSubmissions_TakesTheTimeoutBranch()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        var (_, version) = await PublishAsync(client, ApprovalFlow(expireSeconds: 60));
        var id = await StartAsync(client, version, new { amount = 7, customer = "Cy" });
        await RunWorkersAsync(app);
        var (taskId, _) = await WaitingTaskAsync(client, id);
        var anonymous = app.CreateClient();

        app.Time.Advance(TimeSpan.FromSeconds(61));
        // Past its expiry, before the expiry worker or the node has marked it (its row still says WAITING), the task
        // already reads TIMEOUT and refuses a submission, which changes nothing.
        Assert.Equal("WAITING", await StoredStatusAsync(taskId));
        var unmarked = await ApiAssert.OkAsync(await anonymous.GetAsync($"/api/v2/public/human-tasks/{taskId}", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/human-tasks/{id}", 200, unmarked);
        Assert.Equal("TIMEOUT", unmarked.Str("status"));
        await ApiAssert.ErrorAsync(await SubmitAsync(anonymous, taskId, new { approved = true }), 400, "BAD_REQUEST", "SERVER_ERROR", "Form has expired");
        Assert.Equal("WAITING", await StoredStatusAsync(taskId));
        Assert.Equal("""{"amount":7}""", (await ApiAssert.OkAsync(await anonymous.GetAsync($"/api/v2/public/human-tasks/{taskId}", Ct))).GetProperty("data").GetRawText());
        await ExpireAsync();
        Assert.Equal("TIMEOUT", await StoredStatusAsync(taskId));
        var task = await ApiAssert.OkAsync(await anonymous.GetAsync($"/api/v2/public/human-tasks/{taskId}", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/human-tasks/{id}", 200, task);
        Assert.Equal("TIMEOUT", task.Str("status"));
        await ApiAssert.ErrorAsync(await SubmitAsync(anonymous, taskId, new { approved = true }), 400, "BAD_REQUEST", "SERVER_ERROR", "Form has expired");

        await RunWorkersAsync(app);
        var done = await ExecutionAsync(client, id);
        Assert.Equal("COMPLETED", done.Str("status"));
        Assert.Equal("""{"decision":"expired"}""", done.GetProperty("return_value").GetRawText());
        var record = done.GetProperty("nodes").EnumerateArray().Single(n => n.Str("node_id") == "approve");
        Assert.Equal("TIMEOUT", record.GetProperty("latest_output").Str("status"));
        Assert.Equal(["start", "approve", "expired"], done.GetProperty("nodes").EnumerateArray().Select(n => n.Str("node_id")));
    }

    [Fact]
    public async Task Expiry_WithoutATimeoutBranch_ErrorsTheExecution()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        var (_, version) = await PublishAsync(client, ApprovalFlow(expireSeconds: 30, timeoutBranch: false));
        var id = await StartAsync(client, version, new { amount = 1, customer = "Di" });
        await RunWorkersAsync(app);
        var (taskId, _) = await WaitingTaskAsync(client, id);
        app.Time.Advance(TimeSpan.FromSeconds(31));
        await RunWorkersAsync(app); // the execution wakes at the expiry by itself, without the expiry worker
        var done = await ExecutionAsync(client, id);
        Assert.Equal("ERRORED", done.Str("status"));
        Assert.Contains("expired", done.Str("error"), StringComparison.Ordinal);
        // The node's own record says why: Errored, with the node's message, and nothing ran after it.
        var record = done.GetProperty("nodes").EnumerateArray().Single(n => n.Str("node_id") == "approve");
        Assert.Equal("Errored", record.Str("node_status"));
        Assert.Contains("nobody submitted the human task's form before it expired", record.Str("error"), StringComparison.Ordinal);
        Assert.Equal(["start", "approve"], done.GetProperty("nodes").EnumerateArray().Select(n => n.Str("node_id")));
        Assert.Equal("TIMEOUT", (await ApiAssert.OkAsync(await app.CreateClient().GetAsync($"/api/v2/public/human-tasks/{taskId}", Ct))).Str("status"));
    }

    [Fact]
    public async Task StoppedExecution_ClosesItsTask()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        var (_, version) = await PublishAsync(client, ApprovalFlow());
        var id = await StartAsync(client, version, new { amount = 1, customer = "Ed" });
        await RunWorkersAsync(app);
        var (taskId, _) = await WaitingTaskAsync(client, id);
        await ApiAssert.OkAsync(await client.PostAsync($"/api/v2/public/execution/{id}/stop", null, Ct));
        await RunWorkersAsync(app, 1);
        Assert.Equal("STOPPED", (await ExecutionAsync(client, id)).Str("status"));
        await ApiAssert.ErrorAsync(await SubmitAsync(app.CreateClient(), taskId, new { approved = true }), 400, "BAD_REQUEST", "SERVER_ERROR", "Form has expired");
    }

    [Fact]
    public async Task TwoServers_TwoSimultaneousSubmissions_ExactlyOneWins()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        var (_, version) = await PublishAsync(client, ApprovalFlow());
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add(await StartAsync(client, version, new { amount = i, customer = "F" }));
        await RunWorkersAsync(app);
        await using var second = app.CreateNode();
        await second.InitializeAsync();
        foreach (var id in ids)
        {
            var (taskId, _) = await WaitingTaskAsync(client, id);
            var answers = await Task.WhenAll(
                SubmitAsync(app.CreateClient(), taskId, new { approved = true, comment = "first" }),
                SubmitAsync(second.CreateClient(), taskId, new { approved = false, comment = "second" }));
            Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
            var loser = answers.Single(a => a.StatusCode != HttpStatusCode.OK);
            await ApiAssert.ErrorAsync(loser, 400, "BAD_REQUEST", "SERVER_ERROR", "Form has already been submitted");
        }
        foreach (var id in ids)
        {
            // Either node may run the resumed execution (the second node's own workers run in the background).
            var done = await ExecutionAsync(client, id);
            for (var deadline = DateTime.UtcNow.AddSeconds(30); done.Str("status") == "RUNNING" && DateTime.UtcNow < deadline; done = await ExecutionAsync(client, id))
            {
                await RunWorkersAsync(app);
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
            Assert.Equal("COMPLETED", done.Str("status"));
            Assert.Single(done.GetProperty("nodes").EnumerateArray(), n => n.Str("node_id") == "approve");
        }
    }

    [Fact]
    public async Task FormPage_IsNeverCachedFramedOrReferred_AndServesOnlyItsOwnAssets()
    {
        var anonymous = app.CreateClient();
        using var page = await anonymous.GetAsync("/human-tasks/" + new string('a', 32), Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode); // the page itself says whether the task exists
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
        Assert.Equal("no-referrer", Assert.Single(page.Headers.GetValues("Referrer-Policy")));
        foreach (var file in (string[])["human-task.js", "human-task.css", "connect.css"])
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/human-tasks/assets/{file}", Ct)).StatusCode);
        foreach (var file in (string[])["connect.js", "connect.html", "human-task.html", "nothing.js"])
            await ApiAssert.ErrorAsync(await anonymous.GetAsync($"/human-tasks/assets/{file}", Ct), 404, "NOT_FOUND", "ROUTE_NOT_FOUND");
    }

    [Fact]
    public async Task Definition_RejectsABadHumanTaskNode()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        var created = await ApiAssert.OkAsync(await client.PostAsync("/api/v2/public/workflow", Body(new { name = "Bad" }), Ct));
        var draft = created.GetProperty("workflow").Str("_id");
        var noForm = Graph([Node("start", "start"), Node("ask", "human_task", new { name = "x" })], [Edge("start", "ask")]);
        var put = await client.PutAsync($"/api/v2/public/workflow/{draft}", new StringContent(noForm.ToJsonString(), System.Text.Encoding.UTF8, "application/json"), Ct);
        Assert.Contains("needs 'form_structure'", (await ApiAssert.JsonAsync(put, 400)).Str("message"), StringComparison.Ordinal);
        var badEdge = Graph([Node("start", "start"), Node("ask", "human_task", new { name = "x", form_structure = new { type = "object" } }), Node("r", "response")],
            [Edge("start", "ask"), Edge("ask", "r", "maybe")]);
        put = await client.PutAsync($"/api/v2/public/workflow/{draft}", new StringContent(badEdge.ToJsonString(), System.Text.Encoding.UTF8, "application/json"), Ct);
        Assert.Contains("sourceHandle 'maybe'", (await ApiAssert.JsonAsync(put, 400)).Str("message"), StringComparison.Ordinal);

        // A bad expire_in fails the node when it runs (it may be a template).
        var (_, version) = await PublishAsync(client, Graph(
            [Node("start", "start"), Node("ask", "human_task", new { name = "x", form_structure = new { type = "object" }, expire_in = "{{payload.wait}}" })],
            [Edge("start", "ask")]));
        var id = await StartAsync(client, version, new { wait = "soon" });
        await RunWorkersAsync(app);
        var errored = await ExecutionAsync(client, id);
        Assert.Equal("ERRORED", errored.Str("status"));
        Assert.Contains("'expire_in' must be a duration", errored.Str("error"), StringComparison.Ordinal);
    }
}

public sealed class SqliteHumanTaskTests(SqliteApp<FakeProviderOptions> app) : HumanTaskTests(app), IClassFixture<SqliteApp<FakeProviderOptions>>;
public sealed class PostgresHumanTaskTests(PostgresApp<FakeProviderOptions> app) : HumanTaskTests(app), IClassFixture<PostgresApp<FakeProviderOptions>>;

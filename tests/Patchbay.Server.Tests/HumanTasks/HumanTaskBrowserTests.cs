using Microsoft.Extensions.DependencyInjection;
using Patchbay.HumanTasks;
using Patchbay.Tests.Apps;
using Patchbay.Tests.Hosted;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.HumanTasks.HumanTaskApi;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.HumanTasks;

// The hosted human-task form in Debian's headless Chromium, driven by playwright-core from tests/browser
// (human-task-page.mjs): on a phone and a desktop, a refused submission, a filled and submitted form, the done state,
// an expired task. The server's own view is checked afterwards: the execution resumed with what the browser typed.
public abstract class HumanTaskBrowserTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HostedForm_FilledAndSubmitted_ResumesTheExecution_ExpiredFormSaysSo()
    {
        BrowserScript.AssertInstalled();

        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        var (_, open) = await PublishAsync(client, ApprovalFlow(askName: true), "Open");
        var (_, soon) = await PublishAsync(client, ApprovalFlow(expireSeconds: 60), "Soon");
        var id = await StartAsync(client, open, new { amount = 120, customer = "Ada" });
        var expiring = await StartAsync(client, soon, new { amount = 3, customer = "Bo" });
        await RunWorkersAsync(app);
        var (_, formUrl) = await WaitingTaskAsync(client, id);
        var (_, expiredUrl) = await WaitingTaskAsync(client, expiring);
        app.Time.Advance(TimeSpan.FromSeconds(61));
        await app.Services.GetRequiredService<HumanTaskExpiryWorker>().RunOnceAsync(Ct);

        var site = app.BaseAddress.TrimEnd('/');
        await BrowserScript.RunAsync("human-task-page.mjs", [site + formUrl.PathAndQuery, site + expiredUrl.PathAndQuery, BrowserScript.Screenshots(app)],
            okSteps: 7, TimeSpan.FromMinutes(2), Ct);

        // What the browser submitted is what the execution resumed with.
        await RunWorkersAsync(app);
        var done = await ExecutionAsync(client, id);
        Assert.Equal("COMPLETED", done.Str("status"));
        Assert.Equal("""{"decision":"approved","amount":120,"comment":"Long-standing customer.\nApproved."}""", done.GetProperty("return_value").GetRawText());
        var output2 = done.GetProperty("nodes").EnumerateArray().Single(n => n.Str("node_id") == "approve").GetProperty("latest_output");
        Assert.Equal("""{"amount":120,"approver":"Grace","approved":true,"reason":"goodwill","comment":"Long-standing customer.\nApproved.","refund_on":"2026-12-01","tags":["vip","refund"]}""",
            output2.GetRawText());
        Assert.Equal("""{"decision":"expired"}""", (await ExecutionAsync(client, expiring)).GetProperty("return_value").GetRawText());
    }
}

public sealed class SqliteHumanTaskBrowserTests(SqliteApp<BrowserOptions> app) : HumanTaskBrowserTests(app), IClassFixture<SqliteApp<BrowserOptions>>;
public sealed class PostgresHumanTaskBrowserTests(PostgresApp<BrowserOptions> app) : HumanTaskBrowserTests(app), IClassFixture<PostgresApp<BrowserOptions>>;

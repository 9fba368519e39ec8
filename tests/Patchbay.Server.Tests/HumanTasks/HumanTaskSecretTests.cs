using System.Text;
using Patchbay.Tests.Infrastructure;
using Patchbay.Tests.Operations;
using Xunit;
using static Patchbay.Tests.HumanTasks.HumanTaskApi;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.HumanTasks;

// A human task's id is its form's only credential: the request log, routing and handler lines at Debug show it only
// redacted, and the database holds only its hash (neither while the execution waits nor after).
public abstract class HumanTaskSecretTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TaskId_NeverLogged_NeverStoredInClear()
    {
        var (_, key, productionKey) = await app.CreateOrgAsync("Human Task Secret Org");
        var account = await app.CreateLinkedAccountAsync(apiKey: key);
        var client = app.ClientFor(key, account);
        var (_, version) = await PublishAsync(client, ApprovalFlow());
        var id = await StartAsync(client, version, new { amount = 9, customer = "Gil" });
        await RunWorkersAsync(app);
        var (taskId, url) = await WaitingTaskAsync(client, id);
        await AssertNotStoredAsync(taskId);

        // The link is on the execution only for those who may read it: not another org, not the production key.
        var (_, otherKey, _) = await app.CreateOrgAsync("Other Human Task Org");
        var otherAccount = await app.CreateLinkedAccountAsync(apiKey: otherKey);
        await ApiAssert.ErrorAsync(await app.ClientFor(otherKey, otherAccount).GetAsync($"/api/v2/public/execution/{id}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        await ApiAssert.ErrorAsync(await app.ClientFor(otherKey).GetAsync($"/api/v2/public/execution/{id}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        await ApiAssert.ErrorAsync(await app.ClientFor(productionKey).GetAsync($"/api/v2/public/execution/{id}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");

        var anonymous = app.CreateClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await anonymous.GetAsync(url.PathAndQuery, Ct)).StatusCode);
        await ApiAssert.OkAsync(await anonymous.GetAsync($"/api/v2/public/human-tasks/{taskId}", Ct));
        await ApiAssert.OkAsync(await SubmitAsync(anonymous, taskId, new { approved = true }));
        await SubmitAsync(anonymous, taskId, new { approved = true });
        var unknown = Guid.NewGuid().ToString("N");
        await anonymous.PostAsync($"/api/v2/public/human-tasks/{unknown}?x=1", new StringContent("{", Encoding.UTF8, "application/json"), Ct);
        await RunWorkersAsync(app);
        await AssertNotStoredAsync(taskId);

        var logs = app.Logs.All;
        Assert.Contains("/api/v2/public/human-tasks/", logs, StringComparison.Ordinal); // the request lines are there, without the ids
        Assert.Contains("/human-tasks/assets/", (await (await anonymous.GetAsync(url.PathAndQuery, Ct)).Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        Assert.DoesNotContain(taskId, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(unknown, logs, StringComparison.Ordinal);
    }

    async Task AssertNotStoredAsync(string secret)
    {
        foreach (var (table, columns) in new[]
        {
            ("human_tasks", "id || coalesce(data, '') || coalesce(submitted_data, '') || form_structure || ui_structure"),
            ("executions", "state || coalesce(return_value, '')"),
            ("execution_nodes", "coalesce(input, '') || coalesce(output, '')"),
        })
        {
            var found = await app.Db.QueryFirstOrDefaultAsync<int>($"select count(*) from {table} where {columns} like @pattern", new { pattern = $"%{secret}%" }, Ct);
            Assert.True(found == 0, $"{table} holds the task id in clear");
        }
    }
}

public sealed class SqliteHumanTaskSecretTests(SqliteApp<DebugLoggingOptions> app) : HumanTaskSecretTests(app), IClassFixture<SqliteApp<DebugLoggingOptions>>;
public sealed class PostgresHumanTaskSecretTests(PostgresApp<DebugLoggingOptions> app) : HumanTaskSecretTests(app), IClassFixture<PostgresApp<DebugLoggingOptions>>;

using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Schedules;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Schedules;

// Schedules through the public API: cron and interval schedules of a workflow fire when due on the fake clock,
// pause and resume, list and delete.
public abstract class SchedulesTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CronAndIntervalSchedules_FireWhenDue_NotWhilePaused()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        var (draft, _) = await PublishAsync(client, Graph([Node("start", "start"), Node("out", "response", new { body = "{{payload.kind}}" })], [Edge("start", "out")]));
        HttpRequestMessage Register(object body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/workflow/public/scheduled") { Content = Body(body) };
            request.Headers.Add("slug", "custom");
            request.Headers.Add("workflow_id_alias", draft);
            request.Headers.Add("config_id", account);
            return request;
        }
        var cron = await ApiAssert.OkAsync(await client.SendAsync(Register(new { trigger_type = "cron", regex = "*/5 * * * *", tz = "Europe/Paris", payload = new { kind = "cron" } }), Ct));
        RefoldOpenApi.AssertResponse("POST", "/api/v1/workflow/public/scheduled", 200, cron);
        Assert.Equal("*/5 * * * *", cron.Str("cron_patten"));
        Assert.Equal("running", cron.Str("status"));
        var at = app.Time.GetUtcNow().AddMinutes(2);
        var interval = await ApiAssert.OkAsync(await client.SendAsync(Register(new
        {
            trigger_type = "interval", tz = "UTC", payload = new { kind = "interval" },
            interval_dates = new[] { new { day = at.Day, month = at.Month, year = at.Year, hour = at.Hour, minute = at.Minute } },
        }), Ct));
        await ApiAssert.ErrorAsync(await client.SendAsync(Register(new { trigger_type = "cron", regex = "every day" }), Ct), 400, "BAD_REQUEST", "SERVER_ERROR",
            "Cron Job Could Not Be Added  , Regex Configuration failed to register");
        await ApiAssert.ErrorAsync(await client.SendAsync(Register(new { regex = "* * * * *" }), Ct), 400, "BAD_REQUEST", "SERVER_ERROR", "trigger_type is required");

        var worker = app.Services.GetRequiredService<ScheduleWorker>();
        app.Time.Advance(TimeSpan.FromMinutes(6));
        await worker.RunOnceAsync(Ct);
        await RunWorkersAsync(app, 1);
        var runs = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/execution?execution_source=Schedule", Ct));
        Assert.Equal(2, runs.GetProperty("totalDocs").GetInt32());
        Assert.Equal(["cron", "interval"], runs.GetProperty("docs").EnumerateArray().Select(d => ((JsonElement)d).Str("_id"))
            .Select(id => ExecutionAsync(client, id).Result.GetProperty("return_value").GetString()).Order());

        var paused = await ApiAssert.OkAsync(await client.PutAsync($"/api/v1/workflow/public/scheduled/{cron.Str("_id")}/pause", null, Ct));
        RefoldOpenApi.AssertResponse("PUT", "/api/v1/workflow/public/scheduled/{schedule_id}/pause", 200, paused);
        Assert.True(paused.GetProperty("inactive").GetBoolean());
        await ApiAssert.ErrorAsync(await client.PutAsync($"/api/v1/workflow/public/scheduled/{cron.Str("_id")}/pause", null, Ct), 400, "BAD_REQUEST", "SERVER_ERROR", "Scheduled Job Already Inactive");
        app.Time.Advance(TimeSpan.FromMinutes(10));
        await worker.RunOnceAsync(Ct);
        Assert.Equal(2, (await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/execution?execution_source=Schedule", Ct))).GetProperty("totalDocs").GetInt32());
        var resumed = await ApiAssert.OkAsync(await client.PutAsync($"/api/v1/workflow/public/scheduled/{cron.Str("_id")}/resume", null, Ct));
        Assert.Equal("running", resumed.Str("status"));

        var list = await ApiAssert.OkAsync(await client.GetAsync("/api/v1/workflow/public/scheduled", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v1/workflow/public/scheduled", 200, list);
        Assert.Equal(2, list.GetProperty("totalDocs").GetInt32());
        var deleted = await ApiAssert.OkAsync(await client.DeleteAsync($"/api/v1/workflow/public/scheduled/{interval.Str("_id")}", Ct));
        Assert.Equal("Scheduled Job Deleted Successfully", deleted.Str("message"));
        await ApiAssert.ErrorAsync(await client.DeleteAsync($"/api/v1/workflow/public/scheduled/{interval.Str("_id")}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND", "Scheduled Job Not Found");
    }
}

public sealed class SqliteSchedulesTests(SqliteApp app) : SchedulesTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresSchedulesTests(PostgresApp app) : SchedulesTests(app), IClassFixture<PostgresApp>;

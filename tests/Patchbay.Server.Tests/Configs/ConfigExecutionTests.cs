using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Schedules;
using Patchbay.Tests.EnvironmentVariables;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Configs.ConfigApi;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Configs;

// The loop configs exist for: an org defines an app's fields (a select fed by a datasource workflow, a map, a
// password) and a workflow that reads them and environment variables; a customer connects the app, installs, fills the
// fields, enables the workflow; events run it with that config's values, a second named config runs with its own,
// and disabling stops it.
public abstract class ConfigExecutionTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Event_RunsTheWorkflowsEnabledInTheChosenConfig_WithThatConfigsValues()
    {
        var (key, account) = await OrgAsync(app);
        var org = app.ClientFor(key);
        var client = app.ClientFor(key, account);
        await ApiAssert.OkAsync(await org.PostAsync("/api/v2/public/application/event", Body(new { name = "deal_won", response = "{\"amount\":1}" }), Ct));
        var pipelines = await PublicWorkflowAsync(org, "custom", "Pipelines", Graph(
            [Node("start", "start"), Node("out", "response", new { body = new[] { new { name = "Sales", value = "sales" }, new { name = "Support", value = "support" } } })],
            [Edge("start", "out")]));
        var pipeline = (await DefineAsync(org, "stripe", new { name = "Pipeline", field_type = "select", data_source = new { workflow_id = pipelines } })).Str("id");
        var mapping = (await DefineAsync(org, "stripe", new { name = "Mapping", field_type = "map", labels = new[] { new { name = "Email", value = "email" } },
            options = new[] { new { name = "E-mail", value = "email_address" }, new { name = "Work e-mail", value = "work_email" } } })).Str("id");
        var token = (await DefineAsync(org, "stripe", new { name = "Token", field_type = "password", required = true })).Str("id");
        var note = (await DefineAsync(org, "stripe", new { name = "Note", field_type = "text" })).Str("id");
        // Environment variables: an org-wide one, and one with an org value the account overrides.
        await EnvApi.SetAsync(org, new { variable_definition_id = await EnvApi.DefineAsync(org, "CRM_REGION", "org"), value = "org-region" });
        await EnvApi.SetAsync(org, new { variable_definition_id = await EnvApi.DefineAsync(org, "CRM_PLAN", "org"), value = "org-plan" });
        await EnvApi.SetAsync(org, new { variable_definition_id = await EnvApi.DefineAsync(org, "CRM_PLAN", "linked_account"), value = "account-plan", linked_account_id = account });
        var listener = await PublicWorkflowAsync(org, "stripe", "On deal won", Graph(
            [
                Node("start", "start", new { trigger = new { type = "event", @event = "deal_won" } }),
                Node("check", "condition", new { left = "{{config.fields.Token}}", @operator = "equals", right = "tok-A-0f1e" }),
                Node("yes", "response", new { body = new { token_a = true, pipeline = "{{config.fields.Pipeline}}", email = "{{config.fields.Mapping.email}}", greeting = "{{config.fields.greeting}} {{payload.amount}}",
                    note = $"{{{{config.fields.{note}}}}}", region = "{{env.CRM_REGION}}", plan = "{{env.CRM_PLAN}}" } }),
                Node("no", "response", new { body = new { token_a = false, pipeline = "{{config.fields.Pipeline}}", email = "{{config.fields.Mapping.email}}", greeting = "{{config.fields.greeting}} {{payload.amount}}",
                    note = $"{{{{config.fields.{note}}}}}", region = "{{env.CRM_REGION}}", plan = "{{env.CRM_PLAN}}" } }),
            ],
            [Edge("start", "check"), Edge("check", "yes", "true"), Edge("check", "no", "false")],
            new { data_slots = new object[] { new { id = "greeting", name = "greeting", field_type = "text", defaultValue = "Hello" } } }));

        // The customer connects the app (enabling its workflows needs it), then installs twice: the default config and
        // a named one, with different values.
        await ConnectStripeAsync(client);
        var config = await ConfigAsync(client, new { slug = "stripe" });
        Assert.Equal(["sales", "support"], Field(config, pipeline).GetProperty("options").EnumerateArray().Select(o => o.Str("value")));
        await UpdateAsync(client, new
        {
            slug = "stripe",
            fields = new Dictionary<string, object> { [pipeline] = "sales", [mapping] = new { email = "work_email" }, [token] = "tok-A-0f1e", [note] = "by id" },
            workflows = new[] { new { id = listener, enabled = true, fields = new Dictionary<string, object> { ["greeting"] = "Hi" } } },
        });
        await ConfigAsync(client, new
        {
            slug = "stripe", config_id = "staging",
            fields = new Dictionary<string, object> { [pipeline] = "support", [mapping] = new { email = "email_address" }, [token] = "tok-B-9a8b" },
            workflows = new[] { new { id = listener, enabled = true } },
        });

        // The config is chosen by the config_id header, or in the body.
        async Task<List<JsonElement>> FireAsync(string? configId, bool inBody = false)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/public/event/trigger")
            {
                Content = inBody ? Body(new { @event = "deal_won", payload = new { amount = 7 }, config_id = configId }) : Body(new { @event = "deal_won", payload = new { amount = 7 } }),
            };
            if (configId is not null && !inBody) request.Headers.Add("config_id", configId);
            await ApiAssert.OkAsync(await client.SendAsync(request, Ct));
            await RunWorkersAsync(app, 3);
            var list = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/execution?execution_source=Event&limit=100", Ct));
            var runs = new List<JsonElement>();
            foreach (var doc in list.GetProperty("docs").EnumerateArray()) runs.Add(await ExecutionAsync(client, doc.Str("_id")));
            return runs;
        }

        var first = Assert.Single(await FireAsync(null));
        Assert.Equal(account, first.Str("config_id"));
        Assert.Equal("COMPLETED", first.Str("status"));
        Assert.Equal("""{"token_a":true,"pipeline":"sales","email":"work_email","greeting":"Hi 7","note":"by id","region":"org-region","plan":"account-plan"}""",
            first.GetProperty("return_value").GetRawText());

        var runs = await FireAsync("staging", inBody: true);
        var staging = Assert.Single(runs, r => r.Str("config_id") == "staging");
        Assert.Equal("""{"token_a":false,"pipeline":"support","email":"email_address","greeting":"Hello 7","note":null,"region":"org-region","plan":"account-plan"}""",
            staging.GetProperty("return_value").GetRawText());

        // Disabled in the default config: firing there runs nothing more; the staging config still runs it.
        await ApiAssert.OkAsync(await client.PatchAsync($"/api/v2/public/slug/stripe/config/{account}/workflows/{listener}", Body(new { enabled = false }), Ct));
        Assert.Equal(2, (await FireAsync(null)).Count);
        Assert.Equal(3, (await FireAsync("staging")).Count);
        Assert.Equal(4, (await FireAsync("staging", inBody: true)).Count);

        // A password's opened value never reaches a recorded node run (the workflow's own constant "tok-A-0f1e" shows in
        // the staging runs, where it is not that config's secret).
        foreach (var run in await FireAsync(null))
        {
            Assert.DoesNotContain("tok-B-9a8b", run.GetRawText(), StringComparison.Ordinal);
            if (run.Str("config_id") == account) Assert.DoesNotContain("tok-A-0f1e", run.GetRawText(), StringComparison.Ordinal);
        }
        Assert.DoesNotContain("tok-A-0f1e", app.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schedule_RunsAPublicWorkflowOnlyWhileItsConfigEnablesIt_WithThatConfigsValues()
    {
        var (key, account) = await OrgAsync(app);
        var org = app.ClientFor(key);
        var client = app.ClientFor(key, account);
        var region = (await DefineAsync(org, "stripe", new { name = "Region", field_type = "text" })).Str("id");
        var workflow = await PublicWorkflowAsync(org, "stripe", "Nightly", Graph(
            [Node("start", "start"), Node("out", "response", new { body = "{{config.fields.Region}} via {{config.id}}" })], [Edge("start", "out")]));
        await ConfigAsync(client, new { slug = "stripe", config_id = "eu", fields = new Dictionary<string, object> { [region] = "eu-west" } });
        using (var register = new HttpRequestMessage(HttpMethod.Post, "/api/v1/workflow/public/scheduled") { Content = Body(new { trigger_type = "cron", regex = "*/5 * * * *" }) })
        {
            register.Headers.Add("slug", "stripe");
            register.Headers.Add("workflow_id_alias", workflow);
            register.Headers.Add("config_id", "eu");
            await ApiAssert.OkAsync(await client.SendAsync(register, Ct));
        }
        var worker = app.Services.GetRequiredService<ScheduleWorker>();
        async Task<List<string?>> TickAsync()
        {
            app.Time.Advance(TimeSpan.FromMinutes(6));
            await worker.RunOnceAsync(Ct);
            await RunWorkersAsync(app, 1);
            var runs = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/execution?execution_source=Schedule", Ct));
            var values = new List<string?>();
            foreach (var doc in runs.GetProperty("docs").EnumerateArray()) values.Add((await ExecutionAsync(client, doc.Str("_id"))).GetProperty("return_value").GetString());
            return values;
        }

        Assert.Empty(await TickAsync()); // not enabled in config "eu": the run is skipped, the schedule moves on
        await ConnectStripeAsync(client);
        await ApiAssert.OkAsync(await client.PatchAsync($"/api/v2/public/slug/stripe/config/eu/workflows/{workflow}", Body(new { enabled = true }), Ct));
        Assert.Equal(["eu-west via eu"], await TickAsync());
    }
}

public sealed class SqliteConfigExecutionTests(SqliteApp<FakeProviderOptions> app) : ConfigExecutionTests(app), IClassFixture<SqliteApp<FakeProviderOptions>>;
public sealed class PostgresConfigExecutionTests(PostgresApp<FakeProviderOptions> app) : ConfigExecutionTests(app), IClassFixture<PostgresApp<FakeProviderOptions>>;

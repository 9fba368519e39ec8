using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.Configs.ConfigApi;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Configs;

// The fake provider (one of its endpoints never answers: a datasource workflow calling it is too slow) and a
// datasource time limit short enough to wait for.
public sealed class ConfigFieldsOptions : IAppOptions
{
    public void Configure(AppSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        setup.FakeProvider = true;
        setup.Settings["Patchbay:Configs:DatasourceTimeout"] = "00:00:05";
    }
}

// Config fields (FD1–FD5) and their definitions: every field type's checks, password values never answered, a select
// fed by a datasource workflow (its failures in field_errors), map and rule-engine values, dependent fields, and the
// workflow's own fields from its data_slots.
public abstract class ConfigFieldsTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Dictionary<string, object?> Values(params (string Id, object? Value)[] values) => values.ToDictionary(v => v.Id, v => v.Value);

    [Fact]
    public async Task EachFieldType_AcceptsItsValues_RefusesOthers_NamingTheField_AndChangesNothing()
    {
        var (key, account) = await OrgAsync(app);
        var org = app.ClientFor(key);
        var client = app.ClientFor(key, account);
        async Task<string> Define(object field) => (await DefineAsync(org, "stripe", field)).Str("id");
        var text = await Define(new { name = "Title", field_type = "text", required = true });
        var number = await Define(new { name = "Limit", field_type = "number" });
        var email = await Define(new { name = "Owner", field_type = "email" });
        var url = await Define(new { name = "Site", field_type = "url" });
        var date = await Define(new { name = "Since", field_type = "date" });
        var json = await Define(new { name = "Extra", field_type = "json" });
        var textarea = await Define(new { name = "Notes", field_type = "textarea" });
        var password = await Define(new { name = "Token", field_type = "password" });
        var select = await Define(new { name = "Stages", field_type = "select", multiple = true, options = new[] { new { name = "Won", value = "won" }, new { name = "Lost", value = "lost" } } });
        var map = await Define(new { name = "Mapping", field_type = "map", dynamic_map_field_object_name = "contact", options = new[] { new { name = "E-mail", value = "email_address" } } });
        var rule = await Define(new
        {
            name = "Filter", field_type = "rule_engine",
            rule_columns = new object[] { new { name = "Amount", value = "amount", type = "number" }, new { name = "Stage", value = "stage", type = "select", options = new[] { new { name = "Won", value = "won" } } } },
        });

        var defs = await ApiAssert.OkAsync(await org.GetAsync("/api/patchbay/v1/apps/stripe/config-fields", Ct));
        Assert.Equal(11, defs.GetArrayLength());
        await ApiAssert.ErrorAsync(await org.PostAsync("/api/patchbay/v1/apps/stripe/config-fields", Body(new { name = "X", field_type = "colour" }), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await org.PostAsync("/api/patchbay/v1/apps/stripe/config-fields", Body(new { name = "X", field_type = "select" }), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "'body': a select field needs 'options' or a 'data_source'");

        await ConfigAsync(client, new { slug = "stripe", labels = new { contact = new[] { new { name = "Email", value = "email" } } } });
        var good = Values((text, "Deals"), (number, "42.5"), (email, "a@b.io"), (url, "https://x.test/a"), (date, "2026-01-31"), (json, new { a = new[] { 1 } }),
            (textarea, "line1\nline2"), (password, "p@ss-word"), (select, new[] { "won" }), (map, new { email = "email_address" }),
            (rule, new { logic = "and", conditions = new object[] { new { lhs = "amount", @operator = "greater_than", rhs = 10 },
                new { logic = "or", conditions = new object[] { new { lhs = "stage", @operator = "equals", rhs = "won" } } } } }));
        var config = await UpdateAsync(client, new { slug = "stripe", fields = good });
        Assert.Equal(42.5, Field(config, number).GetProperty("value").GetDouble());
        Assert.Equal("[REDACTED]", Field(config, password).Str("value"));
        Assert.Equal("""["won"]""", Field(config, select).GetProperty("value").GetRawText());
        Assert.Equal("""{"email":"Email"}""", Field(config, map).GetProperty("labels").GetRawText());
        Assert.Equal("email_address", Field(config, map).GetProperty("value").GetProperty("email").GetString());
        Assert.DoesNotContain("p@ss-word", config.GetRawText(), StringComparison.Ordinal);

        var bad = new (string Id, object? Value, string Message)[]
        {
            (text, null, $"Field 'Title' ({text}) is required"),
            (number, "ten", $"Field 'Limit' ({number}) must be a number"),
            (email, "nobody", $"Field 'Owner' ({email}) must be an email address"),
            (url, "ftp://x", $"Field 'Site' ({url}) must be an absolute http or https URL"),
            (date, "31/01/2026", $"Field 'Since' ({date}) must be a date (YYYY-MM-DD) or an ISO 8601 instant"),
            (select, new[] { "maybe" }, $"Field 'Stages' ({select}) 'maybe' is not one of the field's options"),
            (select, "won", $"Field 'Stages' ({select}) must be an array of option values"),
            (map, new { phone = "email_address" }, $"Field 'Mapping' ({map}) 'phone' is not one of the field's labels"),
            (map, new { email = "fax" }, $"Field 'Mapping' ({map}) 'email' 'fax' is not one of the field's options"),
            (rule, new { logic = "xor", conditions = Array.Empty<object>() }, $"Field 'Filter' ({rule}) 'logic' must be 'and' or 'or'"),
            (rule, new { logic = "and", conditions = new object[] { new { lhs = "amount", @operator = "contains", rhs = 1 } } }, $"Field 'Filter' ({rule}) operator 'contains' does not apply to column 'amount'"),
            ("no-such-field", "x", "Field with id no-such-field not found"),
        };
        foreach (var (id, value, message) in bad)
        {
            var response = await client.PutAsync("/api/v2/public/config", Body(new { slug = "stripe", fields = Values((textarea, "changed"), (id, value)) }), Ct);
            await ApiAssert.ErrorAsync(response, 400, "BAD_REQUEST", id == "no-such-field" ? "SERVER_ERROR" : "VALIDATION_ERROR", message);
        }
        var unchanged = await GetAsync(client, "stripe");
        Assert.Equal("line1\nline2", Field(unchanged, textarea).Str("value")); // the valid half of each bad update was not kept

        using var noOptions = new HttpRequestMessage(HttpMethod.Get, "/api/v2/public/slug/stripe/config");
        noOptions.Headers.Add("disable_field_options", "true");
        var bare = await ApiAssert.OkAsync(await client.SendAsync(noOptions, Ct));
        Assert.False(Field(bare, select).TryGetProperty("options", out _));
        Assert.True(Field(unchanged, select).TryGetProperty("options", out _));
    }

    [Fact]
    public async Task FieldApi_GetSetClear_OneField_WorkflowFields_RuleEngineOptions()
    {
        var (key, account) = await OrgAsync(app);
        var org = app.ClientFor(key);
        var client = app.ClientFor(key, account);
        var limit = (await DefineAsync(org, "stripe", new { name = "Limit", field_type = "number", defaultValue = 5 })).Str("id");
        var rule = (await DefineAsync(org, "stripe", new { name = "Filter", field_type = "rule_engine",
            rule_columns = new object[] { new { name = "Stage", value = "stage", type = "select", options = new[] { new { name = "Won", value = "won" } } } } })).Str("id");
        var graph = Graph([Node("start", "start"), Node("out", "response", new { body = new { ok = true } })], [Edge("start", "out")],
            new { data_slots = new object[] { new { id = "channel", name = "Channel", field_type = "text", required = true } } });
        var workflow = await PublicWorkflowAsync(org, "stripe", "With own fields", graph);

        var badSlots = new { settings = new { data_slots = new object[] { new { id = "x", name = "X", field_type = "colour" } } } };
        await ApiAssert.ErrorAsync(await org.PutAsync($"/api/v2/public/workflow/{workflow}", Body(badSlots), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "'settings.data_slots[0].field_type' must be one of text, textarea, number, email, url, password, date, json, select, map, rule_engine");
        var twice = new { settings = new { data_slots = new object[] { new { id = "x", name = "X" }, new { id = "x", name = "Y" } } } };
        await ApiAssert.ErrorAsync(await org.PutAsync($"/api/v2/public/workflow/{workflow}", Body(twice), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "'settings.data_slots' has the id 'x' twice");

        using (var missingSlug = new HttpRequestMessage(HttpMethod.Put, $"/api/v2/public/config/field/{limit}") { Content = Body(new { value = 1 }) })
            await ApiAssert.ErrorAsync(await client.SendAsync(missingSlug, Ct), 400, "BAD_REQUEST", "MISSING_REQUIRED_FIELD", "The slug header is required");
        using (var noConfig = FieldRequest(HttpMethod.Put, "stripe", $"field/{limit}", new { value = 1 }))
            await ApiAssert.ErrorAsync(await client.SendAsync(noConfig, Ct), 404, "NOT_FOUND", "SERVER_ERROR", $"Config with config id {account} not found");
        await ConfigAsync(client, new { slug = "stripe" });

        using (var all = FieldRequest(HttpMethod.Post, "stripe", "field", new { }))
        {
            var fields = await ApiAssert.OkAsync(await client.SendAsync(all, Ct));
            RefoldOpenApi.AssertResponse("POST", "/api/v2/public/config/field", 200, fields);
            Assert.Equal("channel", Assert.Single(Workflow(fields, workflow).GetProperty("fields").EnumerateArray()).Str("id"));
        }
        using (var one = FieldRequest(HttpMethod.Get, "stripe", $"field/{limit}"))
        {
            var field = await ApiAssert.OkAsync(await client.SendAsync(one, Ct));
            Assert.Equal(5, field.GetProperty("defaultValue").GetInt32());
            Assert.False(field.TryGetProperty("value", out _));
        }
        using (var set = FieldRequest(HttpMethod.Put, "stripe", $"field/{limit}", new { value = 9 }))
        {
            var field = await ApiAssert.OkAsync(await client.SendAsync(set, Ct));
            RefoldOpenApi.AssertResponse("PUT", "/api/v2/public/config/field/{fieldId}", 200, field);
            Assert.Equal(9, field.GetProperty("value").GetInt32());
        }
        using (var wrong = FieldRequest(HttpMethod.Put, "stripe", $"field/{limit}", new { value = "nine" }))
            await ApiAssert.ErrorAsync(await client.SendAsync(wrong, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR", $"Field 'Limit' ({limit}) must be a number");
        using (var own = FieldRequest(HttpMethod.Put, "stripe", $"field/channel?workflow_id={workflow}", new { value = "#sales" }))
            Assert.Equal("#sales", (await ApiAssert.OkAsync(await client.SendAsync(own, Ct))).Str("value"));
        using (var ownNull = FieldRequest(HttpMethod.Put, "stripe", $"field/channel?workflow_id={workflow}", new { value = (string?)null }))
            await ApiAssert.ErrorAsync(await client.SendAsync(ownNull, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR", "Field 'Channel' (channel) is required");
        Assert.Equal("#sales", Assert.Single(Workflow(await GetAsync(client, "stripe"), workflow).GetProperty("fields").EnumerateArray()).Str("value"));
        // The field becomes a select the stored 9 does not fit: the config says so rather than hide the value.
        await ApiAssert.OkAsync(await org.PutAsync($"/api/patchbay/v1/apps/stripe/config-fields/{limit}",
            Body(new { name = "Limit", field_type = "select", options = new[] { new { name = "Ten", value = "10" } } }), Ct));
        var misfit = Assert.Single((await GetAsync(client, "stripe")).GetProperty("field_errors").EnumerateArray());
        Assert.Equal(limit, misfit.Str("id"));
        Assert.Equal("The stored value no longer fits the field: it '9' is not one of the field's options", misfit.GetProperty("error").Str("message"));
        using (var clear = FieldRequest(HttpMethod.Delete, "stripe", $"field/{limit}"))
        {
            var field = await ApiAssert.OkAsync(await client.SendAsync(clear, Ct));
            RefoldOpenApi.AssertResponse("DELETE", "/api/v2/public/config/field/{fieldId}", 200, field);
            Assert.False(field.TryGetProperty("value", out _));
        }
        using (var unknown = FieldRequest(HttpMethod.Post, "stripe", "field/nope", new { }))
            await ApiAssert.ErrorAsync(await client.SendAsync(unknown, Ct), 400, "BAD_REQUEST", "SERVER_ERROR", "Field with id nope not found");

        using (var rhs = FieldRequest(HttpMethod.Post, "stripe", $"rule-engine/{rule}", new { rule_column = new { lhs = "stage" } }))
        {
            var answer = await ApiAssert.OkAsync(await client.SendAsync(rhs, Ct));
            RefoldOpenApi.AssertResponse("POST", "/api/v2/public/config/rule-engine/{fieldId}", 200, answer);
            Assert.Equal("won", answer.GetProperty("rule_column").GetProperty("rhs").GetProperty("options")[0].Str("value"));
            Assert.Equal(["equals", "not_equals"], answer.GetProperty("rule_column").GetProperty("operator").GetProperty("options").EnumerateArray().Select(o => o.Str("value")));
        }
        using (var notRule = FieldRequest(HttpMethod.Post, "stripe", $"rule-engine/{limit}", new { rule_column = new { name = "x", field_type = "text" } }))
            await ApiAssert.ErrorAsync(await client.SendAsync(notRule, Ct), 400, "BAD_REQUEST", "SERVER_ERROR", $"Field with id {limit} is not of type rule engine or has undefined columns");
    }

    [Fact]
    public async Task DatasourceSelect_ListsTheWorkflowsOptions_DependentFieldWaitsForItsParent_FailuresInFieldErrors()
    {
        var (key, account) = await OrgAsync(app);
        var org = app.ClientFor(key);
        var client = app.ClientFor(key, account);
        var source = await PublicWorkflowAsync(org, "custom", "Pipelines", Graph(
            [Node("start", "start"), Node("out", "response", new { body = new object[] { new { name = "Sales", value = "sales" }, new { name = "For {{payload.parent_value}}", value = "{{payload.parent_value}}-x" } } })],
            [Edge("start", "out")]));
        var broken = await PublicWorkflowAsync(org, "custom", "Broken", Graph([Node("start", "start"), Node("out", "response", new { body = "not a list" })], [Edge("start", "out")]));
        var region = (await DefineAsync(org, "stripe", new { name = "Region", field_type = "select", options = new[] { new { name = "EU", value = "eu" } } })).Str("id");
        var pipeline = (await DefineAsync(org, "stripe", new { name = "Pipeline", field_type = "select", parent = region, data_source = new { workflow_id = source } })).Str("id");
        var other = (await DefineAsync(org, "stripe", new { name = "Other", field_type = "select", data_source = new { workflow_id = broken } })).Str("id");
        await ApiAssert.ErrorAsync(await org.PostAsync("/api/patchbay/v1/apps/stripe/config-fields",
            Body(new { name = "Bad", field_type = "select", data_source = new { workflow_id = "000000000000000000000000" } }), Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");

        var config = await ConfigAsync(client, new { slug = "stripe" });
        Assert.Equal(0, Field(config, pipeline).GetProperty("options").GetArrayLength()); // the parent has no value yet
        Assert.Equal($"dynamic:workflow:{source}", Field(config, pipeline).Str("dynamic_slot_identifier"));
        var error = Assert.Single(config.GetProperty("field_errors").EnumerateArray());
        Assert.Equal(other, error.Str("id"));
        Assert.Contains("answered no options", error.GetProperty("error").Str("message"), StringComparison.Ordinal);

        config = await UpdateAsync(client, new { slug = "stripe", fields = Values((region, "eu"), (pipeline, "eu-x")) });
        Assert.Equal(["sales", "eu-x"], Field(config, pipeline).GetProperty("options").EnumerateArray().Select(o => o.Str("value")));
        Assert.Equal("eu-x", Field(config, pipeline).Str("value"));
        using var one = FieldRequest(HttpMethod.Post, "stripe", $"field/{pipeline}", new { value = "anything" });
        var field = await ApiAssert.OkAsync(await client.SendAsync(one, Ct));
        RefoldOpenApi.AssertResponse("POST", "/api/v2/public/config/field/{fieldId}", 200, field);
        Assert.Equal("For eu", field.GetProperty("options")[1].Str("name"));
        var runs = await ApiAssert.OkAsync(await client.GetAsync("/api/v2/public/execution?limit=100", Ct));
        Assert.True(runs.GetProperty("totalDocs").GetInt32() >= 2); // datasource runs are executions like any other
    }

    [Fact]
    public async Task DatasourceSelect_TooSlowOrFailing_IsTheFieldsError_NotTheRequests_AndTheRequestsPayloadReachesTheWorkflow()
    {
        var (key, account) = await OrgAsync(app);
        var org = app.ClientFor(key);
        var client = app.ClientFor(key, account);
        var slow = await PublicWorkflowAsync(org, "custom", "Slow pipelines", Graph(
            [Node("start", "start"), Node("call", "http", new { url = app.Fake!.BaseUrl + "/v3/user/email" }), Node("out", "response", new { body = new[] { new { name = "Late", value = "late" } } })],
            [Edge("start", "call"), Edge("call", "out")]));
        var failing = await PublicWorkflowAsync(org, "custom", "Failing pipelines", Graph(
            [Node("start", "start"), Node("boom", "code", new { code = "throw new Error('pipelines API down');" })], [Edge("start", "boom")]));
        var echo = await PublicWorkflowAsync(org, "custom", "Search pipelines", Graph(
            [Node("start", "start"), Node("out", "response", new { body = new[] { new { name = "Search {{payload.search}}", value = "{{payload.config_id}}/{{payload.field_id}}" } } })],
            [Edge("start", "out")]));
        var slowField = (await DefineAsync(org, "stripe", new { name = "Slow", field_type = "select", data_source = new { workflow_id = slow } })).Str("id");
        var failingField = (await DefineAsync(org, "stripe", new { name = "Failing", field_type = "select", data_source = new { workflow_id = failing } })).Str("id");
        var echoField = (await DefineAsync(org, "stripe", new { name = "Search", field_type = "select", data_source = new { workflow_id = echo } })).Str("id");

        var started = Stopwatch.StartNew();
        var config = await ConfigAsync(client, new { slug = "stripe" }); // a 200: the fields carry the failures
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(60)); // waited for the slow one, up to its limit only
        var errors = config.GetProperty("field_errors").EnumerateArray().ToDictionary(e => e.Str("id")!, e => e.GetProperty("error").Str("message")!);
        Assert.Equal(2, errors.Count);
        Assert.Matches(@"^Datasource workflow did not answer within 5 s \(execution \w+\)$", errors[slowField]);
        Assert.Matches(@"^Datasource workflow failed \(execution \w+\): .*pipelines API down", errors[failingField]);
        Assert.Equal(0, Field(config, slowField).GetProperty("options").GetArrayLength());
        Assert.Equal($"{account}/{echoField}", Field(config, echoField).GetProperty("options")[0].Str("value"));

        // One field resolved with a payload of the request's own: the workflow reads it.
        using (var one = FieldRequest(HttpMethod.Post, "stripe", $"field/{echoField}", new { search = "acme" }))
        {
            var field = await ApiAssert.OkAsync(await client.SendAsync(one, Ct));
            Assert.Equal("Search acme", Assert.Single(field.GetProperty("options").EnumerateArray()).Str("name"));
        }
        using (var failed = FieldRequest(HttpMethod.Post, "stripe", $"field/{failingField}", new { search = "acme" }))
        {
            var field = await ApiAssert.OkAsync(await client.SendAsync(failed, Ct));
            RefoldOpenApi.AssertResponse("POST", "/api/v2/public/config/field/{fieldId}", 200, field);
            Assert.Contains("pipelines API down", Assert.Single(field.GetProperty("field_errors").EnumerateArray()).GetProperty("error").Str("message"), StringComparison.Ordinal);
        }
    }
}

public sealed class SqliteConfigFieldsTests(SqliteApp<ConfigFieldsOptions> app) : ConfigFieldsTests(app), IClassFixture<SqliteApp<ConfigFieldsOptions>>;
public sealed class PostgresConfigFieldsTests(PostgresApp<ConfigFieldsOptions> app) : ConfigFieldsTests(app), IClassFixture<PostgresApp<ConfigFieldsOptions>>;

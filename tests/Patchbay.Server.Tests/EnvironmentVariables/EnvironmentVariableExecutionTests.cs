using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Patchbay.Tests.Infrastructure;
using Patchbay.Tests.Vault;
using Xunit;
using static Patchbay.Tests.EnvironmentVariables.EnvApi;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.EnvironmentVariables;

// The fake provider for HTTP nodes, and every log line down to Information (HTTP client logs included).
public sealed class EnvExecutionOptions : IAppOptions
{
    public void Configure(AppSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        setup.FakeProvider = true;
        setup.Settings["Logging:LogLevel:Default"] = "Information";
    }
}

// Workflows read {{env.NAME}}: workflow → linked account → workspace → org; encrypted values reach the node that
// uses them in clear and are [REDACTED] in everything the execution records (inputs, outputs, errors, the response).
public abstract class EnvironmentVariableExecutionTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static JsonObject ReadingFlow() => Graph(
        [
            Node("start", "start"),
            Node("code", "code", new { code = "return { up: input.env.PLAIN.toUpperCase(), has: typeof input.env.NOPE };" }),
            Node("out", "response", new
            {
                body = new
                {
                    shared = "{{env.SHARED}}", region = "{{env.REGION}}", plain = "{{env.PLAIN}}", text = "x={{env.PLAIN}}", missing = "{{env.NOPE}}",
                    up = "{{nodes.code.output.up}}", has = "{{nodes.code.output.has}}",
                },
            }),
        ],
        [Edge("start", "code"), Edge("code", "out")]);

    [Fact]
    public async Task Workflow_ReadsVariables_MostSpecificScopeWins()
    {
        var (_, key, _) = await app.CreateOrgAsync("Env Precedence");
        var a = await app.CreateLinkedAccountAsync(apiKey: key);
        var b = await app.CreateLinkedAccountAsync(apiKey: key);
        var org = app.ClientFor(key);
        var (draftA1, versionA1) = await PublishAsync(app.ClientFor(key, a), ReadingFlow(), "A1");
        var (_, versionA2) = await PublishAsync(app.ClientFor(key, a), ReadingFlow(), "A2");
        var (_, versionB) = await PublishAsync(app.ClientFor(key, b), ReadingFlow(), "B");

        await SetAsync(org, new { variable_definition_id = await DefineAsync(org, "SHARED", "org"), value = "from-org" });
        await SetAsync(org, new { variable_definition_id = await DefineAsync(org, "SHARED", "linked_account"), value = "from-account", linked_account_id = a });
        await SetAsync(org, new { variable_definition_id = await DefineAsync(org, "SHARED", "workflow"), value = "from-workflow", workflow_id = draftA1 });
        await SetAsync(org, new { variable_definition_id = await DefineAsync(org, "REGION", "org"), value = "org-region" });
        await SetAsync(org, new { variable_definition_id = await DefineAsync(org, "REGION", "workspace"), value = "ws-region" });
        await SetAsync(org, new { variable_definition_id = await DefineAsync(org, "PLAIN", "org"), value = "plain" });

        async Task<string> RunAsync(string account, string version) =>
            (await ApiAssert.OkAsync(await app.ClientFor(key, account).SendAsync(Execute(version, new { }, sync: true), Ct))).GetProperty("return_value").GetRawText();

        const string Rest = ""","region":"ws-region","plain":"plain","text":"x=plain","missing":null,"up":"PLAIN","has":"undefined"}""";
        Assert.Equal("""{"shared":"from-workflow""" + "\"" + Rest, await RunAsync(a, versionA1));
        Assert.Equal("""{"shared":"from-account""" + "\"" + Rest, await RunAsync(a, versionA2));
        Assert.Equal("""{"shared":"from-org""" + "\"" + Rest, await RunAsync(b, versionB));

        // A value changed is read by the next run; the production environment has values of its own (none here).
        await SetAsync(org, new { variable_definition_id = (await ApiAssert.OkAsync(await org.GetAsync("/api/v2/public/env/definitions?scope=org&name=^SHARED$", Ct)))
            .GetProperty("docs")[0].Str("_id"), value = "org-again" });
        Assert.StartsWith("""{"shared":"org-again""", await RunAsync(b, versionB), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EncryptedVariables_ReachTheProvider_AndAreRedactedInTheRecords()
    {
        var marker = "CLEAR-MARKER-" + Guid.NewGuid().ToString("N") + "+&<é";
        var (_, key, _) = await app.CreateOrgAsync("Env Redaction");
        var account = await app.CreateLinkedAccountAsync(apiKey: key);
        var org = app.ClientFor(key);
        await SetAsync(org, new { variable_definition_id = await DefineAsync(org, "SECRET", "org", encrypted: true), value = marker });
        await SetAsync(org, new
        {
            variable_definition_id = await DefineAsync(org, "STRIPE_KEY", "linked_account", encrypted: true), value = FakeProvider.StripeKey, linked_account_id = account,
        });
        var client = app.ClientFor(key, account);
        var (_, version) = await PublishAsync(client, Graph(
            [
                Node("start", "start"),
                Node("echo", "code", new { code = "return { copy: input.env.SECRET, keyed: { [input.env.SECRET]: 1 }, list: [input.env.SECRET] };" }),
                Node("call", "http", new
                {
                    url = app.Fake!.BaseUrl + "/v1/account", headers = new { Authorization = "Bearer {{env.STRIPE_KEY}}" },
                    query = new { q = "{{env.SECRET}}" },
                }),
                // A URL path holding the secret: the provider answers 404, and the error is recorded.
                Node("path", "http", new { url = app.Fake.BaseUrl + "/echo/{{env.SECRET}}", continue_on_error = true }),
                Node("out", "response", new
                {
                    body = new { secret = "{{env.SECRET}}", text = "it is {{env.SECRET}}!", account = "{{nodes.call.output.body.id}}", copy = "{{nodes.echo.output.copy}}" },
                }),
            ],
            [Edge("start", "echo"), Edge("echo", "call"), Edge("call", "path"), Edge("path", "out")]));

        var result = await ApiAssert.OkAsync(await client.SendAsync(Execute(version, new { }, sync: true), Ct));
        // The provider accepted the decrypted key (it answers acct_1 only to it) and received the secret itself.
        Assert.Equal("""{"secret":"[REDACTED]","text":"it is [REDACTED]!","account":"acct_1","copy":"[REDACTED]"}""", result.GetProperty("return_value").GetRawText());
        Assert.Contains(app.Fake.Requests, r => r.Authorization == "Bearer " + FakeProvider.StripeKey && r.Path == "/v1/account?q=" + Uri.EscapeDataString(marker));

        var detail = await ExecutionAsync(client, result.Str("execution_id"));
        var text = detail.GetRawText();
        Assert.DoesNotContain(marker, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString(marker), text, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeProvider.StripeKey, text, StringComparison.Ordinal);
        var nodes = detail.GetProperty("nodes");
        Assert.Equal("""{"copy":"[REDACTED]","keyed":{"[REDACTED]":1},"list":["[REDACTED]"]}""", nodes[1].GetProperty("latest_output").GetRawText());
        Assert.Equal("Bearer [REDACTED]", nodes[2].GetProperty("input_data").GetProperty("headers").Str("Authorization"));
        Assert.Equal("[REDACTED]", nodes[2].GetProperty("input_data").GetProperty("query").Str("q"));
        Assert.Equal(app.Fake.BaseUrl + "/echo/[REDACTED]", nodes[3].GetProperty("input_data").Str("url"));

        // A failing node's error quotes the secret: recorded redacted.
        var (_, failing) = await PublishAsync(client, Graph(
            [Node("start", "start"), Node("boom", "code", new { code = "throw new Error('bad ' + input.env.SECRET + ' ' + JSON.stringify(input.env.SECRET));" })],
            [Edge("start", "boom")]), "Failing");
        var failed = await ApiAssert.JsonAsync(await client.SendAsync(Execute(failing, new { }, sync: true), Ct), 500);
        var failedDetail = await ExecutionAsync(client, failed.Str("execution_id"));
        Assert.Equal("ERRORED", failedDetail.Str("status"));
        Assert.Contains("bad [REDACTED]", failedDetail.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("CLEAR-MARKER", failedDetail.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("CLEAR-MARKER", failed.GetRawText(), StringComparison.Ordinal);

        var everything = await VaultTests.DumpDatabaseAsync(app);
        Assert.DoesNotContain("CLEAR-MARKER", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeProvider.StripeKey, everything, StringComparison.Ordinal);
        Assert.Contains(version, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("CLEAR-MARKER", app.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeProvider.StripeKey, app.Logs.All, StringComparison.Ordinal);
        Assert.Contains("Information", app.Logs.All, StringComparison.Ordinal); // the logs are captured at this level
    }

    [Fact]
    public async Task UnreadableEncryptedValue_ErrorsTheExecution_WithoutTheValue()
    {
        var (_, key, _) = await app.CreateOrgAsync("Env Broken");
        var account = await app.CreateLinkedAccountAsync(apiKey: key);
        var org = app.ClientFor(key);
        var first = (await SetAsync(org, new { variable_definition_id = await DefineAsync(org, "ONE", "org", encrypted: true), value = "one-secret" })).Str("_id");
        var second = (await SetAsync(org, new { variable_definition_id = await DefineAsync(org, "TWO", "org", encrypted: true), value = "two-secret" })).Str("_id");
        // Copy one row's ciphertext over the other's: bound to its row, it no longer opens.
        var sealedOne = await app.Db.ExecuteScalarAsync<string>("select sealed_value from env_values where id = @first", new { first }, Ct);
        await app.Db.ExecuteAsync("update env_values set sealed_value = @sealedOne where id = @second", new { sealedOne, second }, Ct);

        var client = app.ClientFor(key, account);
        var (_, version) = await PublishAsync(client, Graph([Node("start", "start"), Node("out", "response", new { body = "{{env.TWO}}" })], [Edge("start", "out")]));
        var result = await ApiAssert.JsonAsync(await client.SendAsync(Execute(version, new { }, sync: true), Ct), 500);
        var detail = await ExecutionAsync(client, result.Str("execution_id"));
        Assert.Equal("ERRORED", detail.Str("status"));
        Assert.Contains("Environment variable TWO (org scope) could not be decrypted", detail.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("one-secret", detail.GetRawText(), StringComparison.Ordinal);
    }
}

public sealed class SqliteEnvironmentVariableExecutionTests(SqliteApp<EnvExecutionOptions> app)
    : EnvironmentVariableExecutionTests(app), IClassFixture<SqliteApp<EnvExecutionOptions>>;
public sealed class PostgresEnvironmentVariableExecutionTests(PostgresApp<EnvExecutionOptions> app)
    : EnvironmentVariableExecutionTests(app), IClassFixture<PostgresApp<EnvExecutionOptions>>;

using System.Net.Http.Json;
using Patchbay.Tests.Contract;
using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.EnvironmentVariables.EnvApi;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.EnvironmentVariables;

// EN1–EN6 and the definitions' management routes, on the wire: shapes against Refold's OpenAPI document, each
// documented error, format validation, and tenancy (another org, the production key, another account's token).
public abstract class EnvironmentVariablesTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Definitions_CreateListGetUpdateDelete()
    {
        var (key, _) = await OrgAsync(app);
        var org = app.ClientFor(key);
        var id = await DefineAsync(org, "API_BASE_URL", "org", "url");
        await DefineAsync(org, "API_BASE_URL", "linked_account", "url"); // the same name at another scope
        await DefineAsync(org, "API_SECRET", "org", encrypted: true);

        var list = await ApiAssert.OkAsync(await org.GetAsync("/api/v2/public/env/definitions", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/env/definitions", 200, list);
        Assert.Equal(3, list.GetProperty("totalDocs").GetInt32());
        var filtered = await ApiAssert.OkAsync(await org.GetAsync("/api/v2/public/env/definitions?scope=org&var_format=url&name=^API_B", Ct));
        var only = Assert.Single(filtered.GetProperty("docs").EnumerateArray());
        Assert.Equal(id, only.Str("_id"));
        Assert.Equal("url", only.Str("var_format"));
        Assert.False(only.GetProperty("encrypted").GetBoolean());
        var byNames = await ApiAssert.OkAsync(await org.GetAsync("/api/v2/public/env/definitions?names=API_SECRET,NOPE", Ct));
        Assert.True(Assert.Single(byNames.GetProperty("docs").EnumerateArray()).GetProperty("encrypted").GetBoolean());
        var paged = await ApiAssert.OkAsync(await org.GetAsync("/api/v2/public/env/definitions?limit=2&page=2", Ct));
        Assert.Single(paged.GetProperty("docs").EnumerateArray());
        Assert.Equal(2, paged.GetProperty("totalPages").GetInt32());

        var got = await ApiAssert.OkAsync(await org.GetAsync($"/api/v2/public/env/definitions/{id}", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/env/definitions/{id}", 200, got);
        Assert.Equal("API_BASE_URL", got.GetProperty("definition").Str("name"));

        var changed = await ApiAssert.OkAsync(await org.PatchAsJsonAsync($"{Definitions}/{id}", new { name = "BASE_URL", description = "where" }, Ct));
        Assert.Equal("BASE_URL", changed.GetProperty("definition").Str("name"));
        Assert.Equal("where", changed.GetProperty("definition").Str("description"));
        Assert.Equal("url", changed.GetProperty("definition").Str("var_format"));

        var deleted = await ApiAssert.OkAsync(await org.DeleteAsync($"{Definitions}/{id}", Ct));
        Assert.Equal("success", deleted.Str("status"));
        Assert.Equal("Variable definition \"BASE_URL\" deleted successfully", deleted.Str("message"));
        await ApiAssert.ErrorAsync(await org.GetAsync($"/api/v2/public/env/definitions/{id}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND",
            "Variable definition not found");
    }

    [Fact]
    public async Task Definitions_Errors()
    {
        var (key, account) = await OrgAsync(app);
        var org = app.ClientFor(key);
        await ApiAssert.ErrorAsync(await org.PostAsJsonAsync(Definitions, new { scope = "org" }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR", "'name' is required");
        await ApiAssert.ErrorAsync(await org.PostAsJsonAsync(Definitions, new { name = "X" }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR", "'scope' is required");
        await ApiAssert.ErrorAsync(await org.PostAsJsonAsync(Definitions, new { name = "has space", scope = "org" }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await org.PostAsJsonAsync(Definitions, new { name = "X", scope = "galaxy" }, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "'scope' must be one of org, workspace, linked_account, workflow");
        await ApiAssert.ErrorAsync(await org.PostAsJsonAsync(Definitions, new { name = "X", scope = "org", var_format = "date" }, Ct), 400, "BAD_REQUEST",
            "VALIDATION_ERROR", "'var_format' must be one of string, number, url");
        await ApiAssert.ErrorAsync(await org.PostAsJsonAsync(Definitions, new { name = "X", scope = "org", encrypted = "yes" }, Ct), 400, "BAD_REQUEST",
            "VALIDATION_ERROR", "'encrypted' must be a boolean");

        var id = await DefineAsync(org, "TAKEN", "org");
        await ApiAssert.ErrorAsync(await org.PostAsJsonAsync(Definitions, new { name = "TAKEN", scope = "org" }, Ct), 409, "CONFLICT", "CONFLICT",
            "A variable definition named TAKEN already exists at org scope");
        await ApiAssert.ErrorAsync(await org.GetAsync("/api/v2/public/env/definitions?scope=galaxy", Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await org.GetAsync("/api/v2/public/env/definitions?name=(", Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "'name' is not a valid regular expression");
        await ApiAssert.ErrorAsync(await org.PatchAsJsonAsync($"{Definitions}/nope", new { name = "Y" }, Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        await ApiAssert.ErrorAsync(await org.DeleteAsync($"{Definitions}/nope", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");

        // A definition with values keeps its scope, format and encryption; name and description still change.
        await SetAsync(org, new { variable_definition_id = id, value = "v" });
        await ApiAssert.ErrorAsync(await org.PatchAsJsonAsync($"{Definitions}/{id}", new { encrypted = true }, Ct), 409, "CONFLICT", "CONFLICT",
            "Variable definition TAKEN has values; delete them before changing its scope, format or encryption");
        await ApiAssert.OkAsync(await org.PatchAsJsonAsync($"{Definitions}/{id}", new { description = "still fine" }, Ct));

        // Managing definitions takes the org key: a session token is refused.
        var token = await app.CreateSessionTokenAsync(account, key);
        await ApiAssert.ErrorAsync(await app.SessionClient(token).PostAsJsonAsync(Definitions, new { name = "T", scope = "org" }, Ct), 403, "FORBIDDEN",
            "SESSION_TOKEN_NOT_ALLOWED");
        await ApiAssert.ErrorAsync(await app.SessionClient(token).GetAsync($"/api/v2/public/env/definitions/{id}", Ct), 403, "FORBIDDEN", "SESSION_TOKEN_NOT_ALLOWED");
        await ApiAssert.ErrorAsync(await app.CreateClient().GetAsync("/api/v2/public/env/definitions", Ct), 401, "UNAUTHORIZED", "SERVER_ERROR", "Invalid Credentials");
    }

    [Fact]
    public async Task Values_SetGetListDelete_AtEachScope()
    {
        var (key, account) = await OrgAsync(app);
        var org = app.ClientFor(key);
        var orgVar = await DefineAsync(org, "BASE", "org", "url");
        var workspaceVar = await DefineAsync(org, "REGION", "workspace");
        var accountVar = await DefineAsync(org, "LIMIT", "linked_account", "number");
        var workflowVar = await DefineAsync(org, "MODE", "workflow");
        var (draft, version) = await PublishAsync(app.ClientFor(key, account), Graph([Node("start", "start")], []));

        var set = await SetAsync(org, new { variable_definition_id = orgVar, value = "https://api.example.com" });
        Assert.Equal("https://api.example.com", set.Str("value"));
        Assert.Equal(orgVar, set.Str("variable_definition_id"));
        Assert.Equal("test", set.Str("environment"));
        Assert.False(set.TryGetProperty("linked_account_id", out _));
        // Setting again replaces the value of the same document.
        var again = await SetAsync(org, new { variable_definition_id = orgVar, value = "https://api2.example.com" });
        Assert.Equal(set.Str("_id"), again.Str("_id"));
        Assert.Equal("https://api2.example.com", again.Str("value"));

        await SetAsync(org, new { variable_definition_id = workspaceVar, value = "eu" });
        var limit = await SetAsync(org, new { variable_definition_id = accountVar, value = 42, linked_account_id = account });
        Assert.Equal("42", limit.Str("value"));
        Assert.Equal(account, limit.Str("linked_account_id"));
        var mode = await SetAsync(org, new { variable_definition_id = workflowVar, value = "fast", workflow_id = version }); // a version id names its workflow
        Assert.Equal(draft, mode.Str("workflow_id"));

        var one = await ApiAssert.OkAsync(await org.GetAsync($"/api/v2/public/env/value/{orgVar}", Ct));
        RefoldOpenApi.AssertResponse("GET", "/api/v2/public/env/value/{definition_id}", 200, one);
        Assert.Equal("""{"value":"https://api2.example.com","encrypted":false,"name":"BASE","scope":"org","variable_definition_id":"ORG"}""".Replace("ORG", orgVar, StringComparison.Ordinal),
            one.GetRawText());
        Assert.Equal("42", (await ApiAssert.OkAsync(await org.GetAsync($"/api/v2/public/env/value/{accountVar}?linked_account_id={account}", Ct))).Str("value"));
        Assert.Equal("42", (await ApiAssert.OkAsync(await app.ClientFor(key, account).GetAsync($"/api/v2/public/env/value/{accountVar}", Ct))).Str("value"));
        Assert.Equal("fast", (await ApiAssert.OkAsync(await org.GetAsync($"/api/v2/public/env/value/{workflowVar}?workflow_id={draft}", Ct))).Str("value"));

        foreach (var (scope, query, expected) in new[] { ("org", "", "BASE"), ("workspace", "", "REGION"), ("linked_account", "", "LIMIT"),
            ("linked_account", $"?linked_account_id={account}", "LIMIT"), ("workflow", $"?workflow_id={draft}", "MODE") })
        {
            var page = await ApiAssert.OkAsync(await org.GetAsync($"/api/v2/public/env/values/{scope}{query}", Ct));
            RefoldOpenApi.AssertResponse("GET", "/api/v2/public/env/values/{scope}", 200, page);
            Assert.Equal("success", page.Str("status"));
            Assert.Equal(expected, Assert.Single(page.GetProperty("docs").EnumerateArray()).Str("name"));
        }
        var byDefinition = await ApiAssert.OkAsync(await org.GetAsync($"/api/v2/public/env/values/org?variable_definition_id={workspaceVar}", Ct));
        Assert.Equal(0, byDefinition.GetProperty("totalDocs").GetInt32());

        var deleted = await ApiAssert.OkAsync(await org.DeleteAsync($"/api/v2/public/env/values/{limit.Str("_id")}", Ct));
        RefoldOpenApi.AssertResponse("DELETE", "/api/v2/public/env/values/{value_id}", 200, deleted);
        Assert.Equal("""{"status":"success","message":"Variable value for \"LIMIT\" deleted successfully"}""", deleted.GetRawText());
        await ApiAssert.ErrorAsync(await org.DeleteAsync($"/api/v2/public/env/values/{limit.Str("_id")}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND",
            "Variable value not found");
        await ApiAssert.ErrorAsync(await org.GetAsync($"/api/v2/public/env/value/{accountVar}?linked_account_id={account}", Ct), 404, "NOT_FOUND",
            "RESOURCE_NOT_FOUND", "Variable value not found");

        // Deleting a definition deletes its values.
        await ApiAssert.OkAsync(await org.DeleteAsync($"{Definitions}/{workflowVar}", Ct));
        Assert.Equal(0, (await ApiAssert.OkAsync(await org.GetAsync($"/api/v2/public/env/values/workflow?workflow_id={draft}", Ct))).GetProperty("totalDocs").GetInt32());
    }

    [Fact]
    public async Task Values_Formats()
    {
        var (key, _) = await OrgAsync(app);
        var org = app.ClientFor(key);
        var number = await DefineAsync(org, "N", "org", "number");
        var url = await DefineAsync(org, "U", "org", "url");
        var text = await DefineAsync(org, "S", "org");
        foreach (var good in new object[] { "12", "-3.5", "1e3", 7, 0.25 }) await SetAsync(org, new { variable_definition_id = number, value = good });
        foreach (var bad in new object[] { "twelve", "", " 12", "NaN", "Infinity", "12abc", true })
        {
            await ApiAssert.ErrorAsync(await org.PostAsJsonAsync("/api/v2/public/env/values", new { variable_definition_id = number, value = bad }, Ct),
                400, "BAD_REQUEST", "SERVER_ERROR", "value does not match the variable format");
        }
        foreach (var good in new[] { "https://api.example.com/v1?x=1", "http://localhost:8080" }) await SetAsync(org, new { variable_definition_id = url, value = good });
        foreach (var bad in new[] { "api.example.com", "ftp://files.example.com", "https://", "javascript:alert(1)", "/relative" })
        {
            await ApiAssert.ErrorAsync(await org.PostAsJsonAsync("/api/v2/public/env/values", new { variable_definition_id = url, value = bad }, Ct),
                400, "BAD_REQUEST", "SERVER_ERROR", "value does not match the variable format");
        }
        await SetAsync(org, new { variable_definition_id = text, value = "" });
        Assert.Equal("http://localhost:8080",
            (await ApiAssert.OkAsync(await org.GetAsync($"/api/v2/public/env/value/{url}", Ct))).Str("value")); // the bad ones changed nothing
    }

    [Fact]
    public async Task Values_Errors()
    {
        var (key, account) = await OrgAsync(app);
        var org = app.ClientFor(key);
        var orgVar = await DefineAsync(org, "O", "org");
        var accountVar = await DefineAsync(org, "A", "linked_account");
        var workflowVar = await DefineAsync(org, "W", "workflow");
        async Task Bad(object body, int status, string type, string error, string? message = null) =>
            await ApiAssert.ErrorAsync(await org.PostAsJsonAsync("/api/v2/public/env/values", body, Ct), status, type, error, message);

        await Bad(new { value = "x" }, 400, "BAD_REQUEST", "VALIDATION_ERROR", "'variable_definition_id' is required");
        await Bad(new { variable_definition_id = orgVar }, 400, "BAD_REQUEST", "VALIDATION_ERROR", "'value' is required");
        await Bad(new { variable_definition_id = orgVar, value = new { a = 1 } }, 400, "BAD_REQUEST", "VALIDATION_ERROR", "'value' must be a string");
        await Bad(new { variable_definition_id = "nope", value = "x" }, 404, "NOT_FOUND", "RESOURCE_NOT_FOUND", "Variable definition not found");
        await Bad(new { variable_definition_id = orgVar, value = "x", linked_account_id = account }, 400, "BAD_REQUEST", "VALIDATION_ERROR");
        await Bad(new { variable_definition_id = orgVar, value = "x", workflow_id = "w" }, 400, "BAD_REQUEST", "VALIDATION_ERROR");
        await Bad(new { variable_definition_id = accountVar, value = "x" }, 400, "BAD_REQUEST", "MISSING_LINKED_ACCOUNT_ID",
            "linked_account_id is required for linked_account scope");
        await Bad(new { variable_definition_id = accountVar, value = "x", linked_account_id = "ghost" }, 404, "NOT_FOUND", "SERVER_ERROR");
        await Bad(new { variable_definition_id = workflowVar, value = "x" }, 400, "BAD_REQUEST", "SERVER_ERROR", "workflow_id is required for workflow scope");
        await Bad(new { variable_definition_id = workflowVar, value = "x", workflow_id = "ghost" }, 404, "NOT_FOUND", "SERVER_ERROR", "Workflow not found");
        await ApiAssert.ErrorAsync(await app.ClientFor(key, "someone").PostAsJsonAsync("/api/v2/public/env/values",
            new { variable_definition_id = accountVar, value = "x", linked_account_id = account }, Ct), 400, "BAD_REQUEST", "INVALID_LINKED_ACCOUNT_ID");

        await ApiAssert.ErrorAsync(await org.GetAsync("/api/v2/public/env/values/workflow", Ct), 400, "BAD_REQUEST", "SERVER_ERROR",
            "workflow_id is required for workflow scope");
        await ApiAssert.ErrorAsync(await org.GetAsync("/api/v2/public/env/values/galaxy", Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await org.GetAsync($"/api/v2/public/env/value/{accountVar}", Ct), 400, "BAD_REQUEST", "MISSING_LINKED_ACCOUNT_ID");
        await ApiAssert.ErrorAsync(await org.GetAsync("/api/v2/public/env/value/nope", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND", "Variable definition not found");
        await ApiAssert.ErrorAsync(await org.GetAsync($"/api/v2/public/env/value/{orgVar}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND", "Variable value not found");
        await ApiAssert.ErrorAsync(await org.GetAsync($"/api/v2/public/env/value/{orgVar}?environment=production", Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(await org.DeleteAsync("/api/v2/public/env/values/nope", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND", "Variable value not found");
        await ApiAssert.ErrorAsync(await org.PostAsync("/api/v2/public/env/values", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"), Ct),
            400, "BAD_REQUEST", "INVALID_JSON");
        Assert.Equal(0, (await ApiAssert.OkAsync(await org.GetAsync("/api/v2/public/env/values/org", Ct))).GetProperty("totalDocs").GetInt32());
    }

    [Fact]
    public async Task Tenancy_OtherOrg_ProductionKey_OtherAccountsToken_CannotReachAccountAsValues()
    {
        var (_, key, productionKey) = await app.CreateOrgAsync("Env Tenant A");
        var accountA = await app.CreateLinkedAccountAsync(apiKey: key);
        var org = app.ClientFor(key);
        var accountB = await app.CreateLinkedAccountAsync(apiKey: key);
        var accountVar = await DefineAsync(org, "TOKEN_A", "linked_account");
        var orgVar = await DefineAsync(org, "SHARED", "org");
        var valueA = (await SetAsync(org, new { variable_definition_id = accountVar, value = "a-only", linked_account_id = accountA })).Str("_id");
        var orgValue = (await SetAsync(org, new { variable_definition_id = orgVar, value = "org" })).Str("_id");

        // Another org: its key sees neither the definition nor the value.
        var (_, otherKey, otherProduction) = await app.CreateOrgAsync("Tenant B");
        var other = app.ClientFor(otherKey);
        await ApiAssert.ErrorAsync(await other.GetAsync($"/api/v2/public/env/definitions/{accountVar}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        await ApiAssert.ErrorAsync(await other.GetAsync($"/api/v2/public/env/value/{accountVar}?linked_account_id={accountA}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        await ApiAssert.ErrorAsync(await other.PostAsJsonAsync("/api/v2/public/env/values",
            new { variable_definition_id = accountVar, value = "hijack", linked_account_id = accountA }, Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        await ApiAssert.ErrorAsync(await other.DeleteAsync($"/api/v2/public/env/values/{valueA}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        await ApiAssert.ErrorAsync(await other.PatchAsJsonAsync($"{Definitions}/{accountVar}", new { name = "MINE" }, Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        await ApiAssert.ErrorAsync(await other.DeleteAsync($"{Definitions}/{accountVar}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        Assert.Equal(0, (await ApiAssert.OkAsync(await other.GetAsync("/api/v2/public/env/values/linked_account", Ct))).GetProperty("totalDocs").GetInt32());
        Assert.Equal(0, (await ApiAssert.OkAsync(await app.ClientFor(otherProduction).GetAsync("/api/v2/public/env/definitions", Ct))).GetProperty("totalDocs").GetInt32());

        // The same org's production key: the definitions are the org's, the values are test's and stay there.
        var production = app.ClientFor(productionKey);
        await ApiAssert.ErrorAsync(await production.GetAsync($"/api/v2/public/env/value/{accountVar}?linked_account_id={accountA}", Ct), 404, "NOT_FOUND", "SERVER_ERROR");
        await ApiAssert.ErrorAsync(await production.GetAsync($"/api/v2/public/env/value/{orgVar}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND", "Variable value not found");
        await ApiAssert.ErrorAsync(await production.DeleteAsync($"/api/v2/public/env/values/{orgValue}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        Assert.Equal(0, (await ApiAssert.OkAsync(await production.GetAsync("/api/v2/public/env/values/org", Ct))).GetProperty("totalDocs").GetInt32());
        Assert.Equal(0, (await ApiAssert.OkAsync(await production.GetAsync("/api/v2/public/env/values/linked_account", Ct))).GetProperty("totalDocs").GetInt32());

        // Account B's session token: its own account only, whatever it names.
        var tokenB = app.SessionClient(await app.CreateSessionTokenAsync(accountB, key));
        var seen = await ApiAssert.OkAsync(await tokenB.GetAsync($"/api/v2/public/env/values/linked_account?linked_account_id={accountA}", Ct));
        Assert.Equal(0, seen.GetProperty("totalDocs").GetInt32());
        await ApiAssert.ErrorAsync(await tokenB.GetAsync($"/api/v2/public/env/value/{accountVar}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND", "Variable value not found");
        await ApiAssert.ErrorAsync(await tokenB.PostAsJsonAsync("/api/v2/public/env/values",
            new { variable_definition_id = accountVar, value = "hijack", linked_account_id = accountA }, Ct), 404, "NOT_FOUND", "SERVER_ERROR");
        await ApiAssert.ErrorAsync(await tokenB.DeleteAsync($"/api/v2/public/env/values/{valueA}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        await ApiAssert.ErrorAsync(await tokenB.DeleteAsync($"/api/v2/public/env/values/{orgValue}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");
        await ApiAssert.ErrorAsync(await tokenB.GetAsync("/api/v2/public/env/values/org", Ct), 403, "FORBIDDEN", "SESSION_TOKEN_NOT_ALLOWED");
        await ApiAssert.ErrorAsync(await tokenB.GetAsync($"/api/v2/public/env/value/{orgVar}", Ct), 403, "FORBIDDEN", "SESSION_TOKEN_NOT_ALLOWED");
        await ApiAssert.ErrorAsync(await tokenB.PostAsJsonAsync("/api/v2/public/env/values", new { variable_definition_id = orgVar, value = "x" }, Ct),
            403, "FORBIDDEN", "SESSION_TOKEN_NOT_ALLOWED");
        // The key with account B's header cannot delete account A's value either.
        await ApiAssert.ErrorAsync(await app.ClientFor(key, accountB).DeleteAsync($"/api/v2/public/env/values/{valueA}", Ct), 404, "NOT_FOUND", "RESOURCE_NOT_FOUND");

        // B's token sets and reads its own value, and sees only the linked_account definitions.
        var own = await SetAsync(tokenB, new { variable_definition_id = accountVar, value = "b-only" });
        Assert.Equal(accountB, own.Str("linked_account_id"));
        Assert.Equal("b-only", (await ApiAssert.OkAsync(await tokenB.GetAsync($"/api/v2/public/env/value/{accountVar}", Ct))).Str("value"));
        var definitions = await ApiAssert.OkAsync(await tokenB.GetAsync("/api/v2/public/env/definitions", Ct));
        Assert.Equal("TOKEN_A", Assert.Single(definitions.GetProperty("docs").EnumerateArray()).Str("name"));
        var mine = await ApiAssert.OkAsync(await tokenB.GetAsync("/api/v2/public/env/values/linked_account", Ct));
        Assert.Equal("b-only", Assert.Single(mine.GetProperty("docs").EnumerateArray()).Str("value"));

        // Nothing of A's changed.
        Assert.Equal("a-only", (await ApiAssert.OkAsync(await org.GetAsync($"/api/v2/public/env/value/{accountVar}?linked_account_id={accountA}", Ct))).Str("value"));
        Assert.Equal(2, (await ApiAssert.OkAsync(await org.GetAsync("/api/v2/public/env/values/linked_account", Ct))).GetProperty("totalDocs").GetInt32());
        await ApiAssert.OkAsync(await tokenB.DeleteAsync($"/api/v2/public/env/values/{own.Str("_id")}", Ct));
    }

    [Fact]
    public async Task LinkedAccountList_FiltersByVariableNameAndValue()
    {
        var (_, key, _) = await app.CreateOrgAsync("Env Filter");
        var org = app.ClientFor(key);
        var a = await app.CreateLinkedAccountAsync(apiKey: key);
        var b = await app.CreateLinkedAccountAsync(apiKey: key);
        await app.CreateLinkedAccountAsync(apiKey: key);
        var plan = await DefineAsync(org, "PLAN", "linked_account");
        var secret = await DefineAsync(org, "PIN", "linked_account", encrypted: true);
        await SetAsync(org, new { variable_definition_id = plan, value = "pro", linked_account_id = a });
        await SetAsync(org, new { variable_definition_id = plan, value = "free", linked_account_id = b });
        await SetAsync(org, new { variable_definition_id = secret, value = "1234", linked_account_id = a });

        async Task<string[]> Ids(string query)
        {
            var page = await ApiAssert.OkAsync(await org.GetAsync("/api/v2/public/linked-account?" + query, Ct));
            RefoldOpenApi.AssertResponse("GET", "/api/v2/public/linked-account", 200, page);
            return [.. page.GetProperty("docs").EnumerateArray().Select(d => d.Str("account_id")).Order()];
        }
        Assert.Equal(new[] { a, b }.Order(), await Ids("env_variable_name=PLAN"));
        Assert.Equal([a], await Ids("env_variable_name=PLAN&env_variable_value=pro"));
        Assert.Equal([a], await Ids("env_variable_name=PIN"));
        Assert.Empty(await Ids("env_variable_name=PIN&env_variable_value=1234")); // sealed: no value matches
        Assert.Empty(await Ids("env_variable_name=NOPE"));
        Assert.Equal(3, (await Ids("")).Length);
        await ApiAssert.ErrorAsync(await org.GetAsync("/api/v2/public/linked-account?env_variable_value=pro", Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR",
            "'env_variable_value' needs 'env_variable_name'");
    }

    [Fact]
    public async Task EncryptedValues_AreAnsweredRedacted()
    {
        var (key, account) = await OrgAsync(app);
        var org = app.ClientFor(key);
        var secret = await DefineAsync(org, "API_SECRET", "linked_account", encrypted: true);
        var set = await SetAsync(org, new { variable_definition_id = secret, value = "s3cr3t-value", linked_account_id = account });
        Assert.Equal("[REDACTED]", set.Str("value"));
        Assert.True(set.GetProperty("encrypted").GetBoolean());
        var one = await ApiAssert.OkAsync(await org.GetAsync($"/api/v2/public/env/value/{secret}?linked_account_id={account}", Ct));
        Assert.Equal("[REDACTED]", one.Str("value"));
        Assert.True(one.GetProperty("encrypted").GetBoolean());
        var token = app.SessionClient(await app.CreateSessionTokenAsync(account, key));
        var list = await ApiAssert.OkAsync(await token.GetAsync("/api/v2/public/env/values/linked_account", Ct));
        Assert.Equal("[REDACTED]", Assert.Single(list.GetProperty("docs").EnumerateArray()).Str("value"));
        Assert.DoesNotContain("s3cr3t-value", list.GetRawText(), StringComparison.Ordinal);
    }
}

public sealed class SqliteEnvironmentVariablesTests(SqliteApp app) : EnvironmentVariablesTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresEnvironmentVariablesTests(PostgresApp app) : EnvironmentVariablesTests(app), IClassFixture<PostgresApp>;

using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Data;
using Patchbay.Tests.EnvironmentVariables;
using Patchbay.Tests.Infrastructure;
using Patchbay.Vault;
using Xunit;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.Vault;

public abstract class VaultTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    Patchbay.Vault.Vault VaultService => app.Services.GetRequiredService<Patchbay.Vault.Vault>();

    [Fact]
    public async Task SealOpen_SameContext_RoundTrips_WithVersionedEnvelope()
    {
        var sealedValue = VaultService.Seal("hunter2", "t/row1/field");
        var parts = sealedValue.Split('.');
        Assert.Equal(4, parts.Length);
        Assert.Equal("v1", parts[0]);
        Assert.Equal(VaultService.ActiveKeyId, parts[1]);
        Assert.Equal("hunter2", (await VaultService.OpenAsync(sealedValue, "t/row1/field", Ct)).Value);
        Assert.NotEqual(sealedValue, VaultService.Seal("hunter2", "t/row1/field")); // fresh nonce each time
    }

    [Fact]
    public async Task Open_OtherRowsContext_Fails()
    {
        var sealedValue = VaultService.Seal("hunter2", "integration_credentials/a/api_key");
        await Assert.ThrowsAsync<VaultException>(async () => await VaultService.OpenAsync(sealedValue, "integration_credentials/b/api_key", Ct));
        await Assert.ThrowsAsync<VaultException>(async () => await VaultService.OpenAsync(sealedValue, "integration_credentials/a/other", Ct));
    }

    [Fact]
    public async Task Open_TamperedCiphertext_Fails()
    {
        var parts = VaultService.Seal("hunter2", "ctx").Split('.');
        var bytes = System.Buffers.Text.Base64Url.DecodeFromChars(parts[3]);
        bytes[0] ^= 1;
        parts[3] = System.Buffers.Text.Base64Url.EncodeToString(bytes);
        await Assert.ThrowsAsync<VaultException>(async () => await VaultService.OpenAsync(string.Join('.', parts), "ctx", Ct));
    }

    [Fact]
    public async Task CredentialValues_NeverAppearInClearInTheDatabase()
    {
        var marker = "CLEAR-MARKER-" + Guid.NewGuid().ToString("N");
        var id = await app.CreateLinkedAccountAsync(new { your_app = new { auth_credentials = new { api_key = marker + "-seed" } } });
        await ApiAssert.OkAsync(await app.ClientFor(linkedAccountId: id).PutAsJsonAsync(
            "/api/v2/public/linked-account/default-app/auth-credentials/token", new { value = marker + "-put" }, Ct));

        var everything = await DumpDatabaseAsync(app);
        Assert.DoesNotContain(marker, everything, StringComparison.Ordinal);
        Assert.Contains(id, everything, StringComparison.Ordinal); // the dump does see the data
    }

    [Fact]
    public async Task ConfigPasswordValues_NeverAppearInClearInTheDatabaseOrLogs_EvenWhenAWorkflowUsesThem()
    {
        var marker = "PW-MARKER-" + Guid.NewGuid().ToString("N");
        var org = app.ClientFor();
        var created = await org.PostAsJsonAsync("/api/patchbay/v1/apps/stripe/config-fields", new { name = "Vault test secret " + marker[^6..], field_type = "password" }, Ct);
        var field = (await ApiAssert.JsonAsync(created, 201)).Str("id");
        var account = await app.CreateLinkedAccountAsync();
        var client = app.ClientFor(linkedAccountId: account);
        await ApiAssert.OkAsync(await client.PostAsJsonAsync("/api/v2/public/config", new { slug = "stripe", fields = new Dictionary<string, string> { [field] = marker + "-put" } }, Ct));
        using (var set = new HttpRequestMessage(HttpMethod.Put, $"/api/v2/public/config/field/{field}") { Content = JsonContent.Create(new { value = marker + "-field" }) })
        {
            set.Headers.Add("slug", "stripe");
            Assert.Equal("[REDACTED]", (await ApiAssert.OkAsync(await client.SendAsync(set, Ct))).Str("value"));
        }
        // A private workflow of the account reads the password through a template and compares it.
        var workflow = (await ApiAssert.OkAsync(await client.PostAsJsonAsync("/api/v2/public/workflow", new { name = "Uses secret", slug = "stripe" }, Ct)))
            .GetProperty("workflow").Str("_id");
        var graph = """
            {"nodes":[{"id":"start","type":"start","name":"start","data":{}},
                      {"id":"check","type":"condition","name":"check","data":{"left":"{{config.fields.FIELD}}","operator":"contains","right":"MARKER"}},
                      {"id":"yes","type":"response","name":"yes","data":{"body":{"matched":true}}},
                      {"id":"no","type":"response","name":"no","data":{"body":{"matched":false}}}],
             "edges":[{"id":"a","source":"start","target":"check"},{"id":"b","source":"check","target":"yes","sourceHandle":"true"},
                      {"id":"c","source":"check","target":"no","sourceHandle":"false"}]}
            """.Replace("FIELD", field, StringComparison.Ordinal).Replace("MARKER", marker, StringComparison.Ordinal);
        await ApiAssert.OkAsync(await client.PutAsync($"/api/v2/public/workflow/{workflow}", new StringContent(graph, Encoding.UTF8, "application/json"), Ct));
        var version = (await ApiAssert.OkAsync(await client.PutAsJsonAsync($"/api/v2/public/workflow/{workflow}/publish", new { published = true }, Ct))).Str("_id");
        using var execute = new HttpRequestMessage(HttpMethod.Post, $"/api/v2/public/workflow/{version}/execute") { Content = JsonContent.Create(new { }) };
        execute.Headers.Add("slug", "stripe");
        execute.Headers.Add("sync_execution", "true");
        var run = await ApiAssert.OkAsync(await client.SendAsync(execute, Ct));
        Assert.Equal("""{"matched":true}""", run.GetProperty("return_value").GetRawText()); // the engine saw the clear value

        var everything = await DumpDatabaseAsync(app);
        Assert.DoesNotContain(marker + "-put", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(marker + "-field", everything, StringComparison.Ordinal); // nor in the recorded node run that compared it
        Assert.Contains(field, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(marker + "-", app.Logs.All, StringComparison.Ordinal);
    }

    // Everything the database holds, as text: the SQLite files byte for byte (WAL included), or every PostgreSQL row.
    public static async Task<string> DumpDatabaseAsync(PatchbayApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Provider == DatabaseProvider.Sqlite)
        {
            var file = Path.Combine(app.DataDirectory, "patchbay.db");
            var text = new StringBuilder();
            foreach (var path in new[] { file, file + "-wal", file + "-shm" }.Where(File.Exists))
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var memory = new MemoryStream();
                await stream.CopyToAsync(memory, Ct);
                text.Append(Encoding.Latin1.GetString(memory.ToArray()));
            }
            return text.ToString();
        }
        var tables = await app.Db.QueryAsync<string>("select table_name from information_schema.tables where table_schema = 'public'", null, Ct);
        var dump = new StringBuilder();
        foreach (var table in tables)
            foreach (var row in await app.Db.QueryAsync<string>($"select t::text from {table} t", null, Ct)) dump.AppendLine(row);
        return dump.ToString();
    }

    // Encrypted environment variables are sealed at rest, opened only inside the engine, and redacted from everything
    // an execution records: a template, code, an error and a child's payload use them here.
    [Fact]
    public async Task EncryptedVariableValues_NeverAppearInClear_InTheDatabaseOrTheLogs()
    {
        var marker = "CLEAR-MARKER-" + Guid.NewGuid().ToString("N");
        var (_, key, _) = await app.CreateOrgAsync("Vault Env");
        var account = await app.CreateLinkedAccountAsync(apiKey: key);
        var org = app.ClientFor(key);
        var orgSecret = await EnvApi.DefineAsync(org, "ORG_SECRET", "org", encrypted: true);
        var accountSecret = await EnvApi.DefineAsync(org, "ACCOUNT_SECRET", "linked_account", encrypted: true);
        await EnvApi.SetAsync(org, new { variable_definition_id = orgSecret, value = marker + "-org" });
        await EnvApi.SetAsync(app.SessionClient(await app.CreateSessionTokenAsync(account, key)),
            new { variable_definition_id = accountSecret, value = marker + "-account" });

        var client = app.ClientFor(key, account);
        var (_, child) = await PublishAsync(client, Graph([Node("start", "start"), Node("r", "response", new { body = new { got = "{{payload.s}}" } })],
            [Edge("start", "r")]), "Child");
        var (_, parent) = await PublishAsync(client, Graph(
            [
                Node("start", "start"),
                Node("code", "code", new { code = "return { both: input.env.ORG_SECRET + '/' + input.env.ACCOUNT_SECRET, length: input.env.ORG_SECRET.length };" }),
                Node("call", "call_workflow", new { workflow_id = child, payload = new { s = "{{env.ACCOUNT_SECRET}}" } }),
                Node("r", "response", new { body = new { t = "{{env.ORG_SECRET}}", c = "{{nodes.code.output.both}}", child = "{{nodes.call.output.return_value}}" } }),
            ],
            [Edge("start", "code"), Edge("code", "call"), Edge("call", "r")]), "Parent");
        var (_, failing) = await PublishAsync(client, Graph([Node("start", "start"), Node("boom", "code", new { code = "throw new Error('bad ' + input.env.ORG_SECRET);" })],
            [Edge("start", "boom")]), "Failing");

        var id = await StartAsync(client, parent, new { });
        var failed = await StartAsync(client, failing, new { });
        await RunWorkersAsync(app);

        var done = await ExecutionAsync(client, id);
        Assert.Equal("COMPLETED", done.Str("status"));
        // The code saw the real values (their length), and what it returned was recorded redacted.
        Assert.Equal(marker.Length + 4, done.GetProperty("nodes")[1].GetProperty("latest_output").GetProperty("length").GetInt32());
        Assert.Equal("[REDACTED]/[REDACTED]", done.GetProperty("nodes")[1].GetProperty("latest_output").Str("both"));
        Assert.Equal("""{"t":"[REDACTED]","c":"[REDACTED]/[REDACTED]","child":{"got":"[REDACTED]"}}""", done.GetProperty("return_value").GetRawText());
        var errored = await ExecutionAsync(client, failed);
        Assert.Equal("ERRORED", errored.Str("status"));
        Assert.Contains("bad [REDACTED]", errored.GetRawText(), StringComparison.Ordinal);

        var everything = await DumpDatabaseAsync(app);
        Assert.DoesNotContain(marker, everything, StringComparison.Ordinal);
        Assert.Contains(id, everything, StringComparison.Ordinal); // the dump does see the executions
        Assert.DoesNotContain(marker, app.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CiphertextMovedToAnotherRow_DoesNotOpen()
    {
        var a = await app.CreateLinkedAccountAsync(new { your_app = new { auth_credentials = new { api_key = "secret-of-a" } } });
        var b = await app.CreateLinkedAccountAsync(new { your_app = new { auth_credentials = new { api_key = "secret-of-b" } } });
        const string Query = """
            select c.integration_id, c.sealed_value from integration_credentials c
            join integrations i on i.id = c.integration_id join linked_accounts la on la.id = i.linked_account_id
            where la.account_id = @id and c.key = 'api_key'
            """;
        var rowA = (await app.Db.QueryAsync<(string IntegrationId, string SealedValue)>(Query, new { id = a }, Ct)).Single();
        var rowB = (await app.Db.QueryAsync<(string IntegrationId, string SealedValue)>(Query, new { id = b }, Ct)).Single();

        // Copy A's ciphertext over B's: B's row must not yield A's secret.
        await app.Db.ExecuteAsync("update integration_credentials set sealed_value = @v where integration_id = @i and key = 'api_key'",
            new { v = rowA.SealedValue, i = rowB.IntegrationId }, Ct);
        var contextB = Patchbay.Vault.Vault.Context("integration_credentials", rowB.IntegrationId, "api_key");
        await Assert.ThrowsAsync<VaultException>(async () => await VaultService.OpenAsync(rowA.SealedValue, contextB, Ct));
        Assert.Equal("secret-of-a", (await VaultService.OpenAsync(rowA.SealedValue,
            Patchbay.Vault.Vault.Context("integration_credentials", rowA.IntegrationId, "api_key"), Ct)).Value);
    }
}

public sealed class SqliteVaultTests(SqliteApp app) : VaultTests(app), IClassFixture<SqliteApp>;
public sealed class PostgresVaultTests(PostgresApp app) : VaultTests(app), IClassFixture<PostgresApp>;

// Key rotation through the `vault` command, against a running server's database. Each test gets its own server:
// rotations change the whole database.
public abstract class VaultRotationTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    PatchbayApp app = null!;

    protected abstract PatchbayApp NewApp();

    async Task StartAsync()
    {
        app = NewApp();
        await app.InitializeAsync();
    }

    Task<int> VaultCommandAsync(string command, string masterKey, params string[] previous)
    {
        var args = new List<string>
        {
            command,
            $"--Patchbay:Database:Provider={app.Provider}",
            $"--Patchbay:Database:ConnectionString={app.ConnectionString}",
            $"--Patchbay:Vault:MasterKey={masterKey}",
        };
        for (var i = 0; i < previous.Length; i++) args.Add($"--Patchbay:Vault:PreviousMasterKeys:{i}={previous[i]}");
        return VaultCommands.RunAsync([.. args]);
    }

    async Task<List<string>> SealedKeyIdsAsync() =>
        (await app.Db.QueryAsync<string>("select sealed_value from integration_credentials", null, Ct)).Select(Patchbay.Vault.Vault.KeyIdOf).ToList();

    [Fact]
    public async Task RotateDataKey_ThenReencrypt_MovesEveryValue_WhileServing()
    {
        await StartAsync();
        await using var _ = app;
        var id = await app.CreateLinkedAccountAsync(new { your_app = new { auth_credentials = new { api_key = "before-rotation" } } });
        var vault = app.Services.GetRequiredService<Patchbay.Vault.Vault>();
        var oldKey = vault.ActiveKeyId;

        Assert.Equal(0, await VaultCommandAsync("rotate-data-key", app.MasterKey));
        await vault.RefreshAsync(Ct); // what VaultKeyRefresher does on its interval
        var newKey = vault.ActiveKeyId;
        Assert.NotEqual(oldKey, newKey);

        // New writes use the new key; the old value still opens.
        await ApiAssert.OkAsync(await app.ClientFor(linkedAccountId: id).PutAsJsonAsync(
            "/api/v2/public/linked-account/default-app/auth-credentials/after", new { value = "after-rotation" }, Ct));
        var mixed = (await SealedKeyIdsAsync()).ToHashSet();
        Assert.Contains(oldKey, mixed);
        Assert.Contains(newKey, mixed);

        Assert.Equal(0, await VaultCommandAsync("reencrypt", app.MasterKey));
        Assert.All(await SealedKeyIdsAsync(), k => Assert.Equal(newKey, k));
        var secrets = await app.Db.QueryAsync<string>("select sealed_value from server_secrets", null, Ct);
        Assert.All(secrets, s => Assert.Equal(newKey, Patchbay.Vault.Vault.KeyIdOf(s)));

        // Still readable through the server, and the API keeps working (its hashing key was re-sealed too).
        var rows = await app.Db.QueryAsync<(string IntegrationId, string Key, string SealedValue)>(
            "select integration_id, key, sealed_value from integration_credentials", null, Ct);
        foreach (var row in rows)
            await vault.OpenAsync(row.SealedValue, Patchbay.Vault.Vault.Context("integration_credentials", row.IntegrationId, row.Key), Ct);
        await ApiAssert.OkAsync(await app.ClientFor().GetAsync($"/api/v2/public/linked-account/{id}", Ct));
    }

    // Environment variable values are a sealed column like the others: `status` counts them (plain values, with no
    // ciphertext, are skipped) and `reencrypt` moves them to the new key, still bound to their row.
    [Fact]
    public async Task RotateDataKey_Reencrypt_MovesEncryptedVariableValues()
    {
        await StartAsync();
        await using var _ = app;
        var org = app.ClientFor();
        var secret = await EnvApi.DefineAsync(org, "ROTATED", "org", encrypted: true);
        var plain = await EnvApi.DefineAsync(org, "PLAIN", "org");
        var id = (await EnvApi.SetAsync(org, new { variable_definition_id = secret, value = "rotate-me" })).Str("_id");
        await EnvApi.SetAsync(org, new { variable_definition_id = plain, value = "not sealed" });
        var vault = app.Services.GetRequiredService<Patchbay.Vault.Vault>();

        Assert.Equal(0, await VaultCommandAsync("rotate-data-key", app.MasterKey));
        await vault.RefreshAsync(Ct);
        Assert.Equal(0, await VaultCommandAsync("reencrypt", app.MasterKey));
        Assert.Equal(0, await VaultCommandAsync("status", app.MasterKey));
        var sealedValue = await app.Db.ExecuteScalarAsync<string>("select sealed_value from env_values where id = @id", new { id }, Ct);
        Assert.Equal(vault.ActiveKeyId, Patchbay.Vault.Vault.KeyIdOf(sealedValue!));
        Assert.Equal("rotate-me", (await vault.OpenAsync(sealedValue!, Patchbay.Vault.Vault.Context("env_values", id), Ct)).Value);
        Assert.Equal("not sealed", await app.Db.ExecuteScalarAsync<string>("select value from env_values where sealed_value is null", null, Ct));
    }

    [Fact]
    public async Task MasterKeyRotation_Rewrap_ThenNodeWithOnlyNewKeyServes()
    {
        await StartAsync();
        await using var _ = app;
        var id = await app.CreateLinkedAccountAsync(new { your_app = new { auth_credentials = new { api_key = "survives" } } });
        var newMaster = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        Assert.Equal(0, await VaultCommandAsync("rewrap", newMaster, app.MasterKey));
        var masters = await app.Db.QueryAsync<string>("select distinct master_key_id from vault_keys", null, Ct);
        Assert.Equal([MasterKeys.IdOf(Convert.FromBase64String(newMaster))], masters);

        await using var node = app.CreateNode(new Dictionary<string, string?> { ["Patchbay:Vault:MasterKey"] = newMaster });
        await node.InitializeAsync();
        await ApiAssert.OkAsync(await node.ClientFor().GetAsync($"/api/v2/public/linked-account/{id}", Ct));
        var vault = node.Services.GetRequiredService<Patchbay.Vault.Vault>();
        var row = (await node.Db.QueryAsync<(string IntegrationId, string SealedValue)>("""
            select c.integration_id, c.sealed_value from integration_credentials c join integrations i on i.id = c.integration_id
            join linked_accounts la on la.id = i.linked_account_id where la.account_id = @id
            """, new { id }, Ct)).Single();
        Assert.Equal("survives", (await vault.OpenAsync(row.SealedValue, Patchbay.Vault.Vault.Context("integration_credentials", row.IntegrationId, "api_key"), Ct)).Value);
    }

    [Fact]
    public async Task Reencrypt_MovedCiphertext_IsReportedAndKeysKept()
    {
        await StartAsync();
        await using var _ = app;
        var a = await app.CreateLinkedAccountAsync(new { your_app = new { auth_credentials = new { k = "a" } } });
        var b = await app.CreateLinkedAccountAsync(new { your_app = new { auth_credentials = new { k = "b" } } });
        var rows = await app.Db.QueryAsync<(string AccountId, string IntegrationId, string SealedValue)>("""
            select la.account_id, c.integration_id, c.sealed_value from integration_credentials c join integrations i on i.id = c.integration_id
            join linked_accounts la on la.id = i.linked_account_id where la.account_id in (@a, @b) and c.key = 'k'
            """, new { a, b }, Ct);
        var rowA = rows.Single(r => r.AccountId == a);
        var rowB = rows.Single(r => r.AccountId == b);
        await app.Db.ExecuteAsync("update integration_credentials set sealed_value = @v where integration_id = @i and key = 'k'",
            new { v = rowA.SealedValue, i = rowB.IntegrationId }, Ct);

        Assert.Equal(0, await VaultCommandAsync("rotate-data-key", app.MasterKey));
        Assert.Equal(1, await VaultCommandAsync("reencrypt", app.MasterKey));
        Assert.Equal(0, await app.Db.ExecuteScalarAsync<long>("select count(*) from vault_keys where retired_at is not null", null, Ct));
    }
}

public sealed class VaultCommandTests
{
    [Fact]
    public async Task Status_NoInstallation_FailsAndCreatesNothing()
    {
        var folder = Path.Combine(Path.GetTempPath(), "patchbay-tests", Guid.NewGuid().ToString("N"));
        Assert.Equal(1, await VaultCommands.RunAsync(["status", $"--Patchbay:DataDirectory={folder}"]));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task UnknownCommand_PrintsUsage()
    {
        Assert.Equal(2, await VaultCommands.RunAsync(["explode"]));
    }
}

public sealed class SqliteVaultRotationTests : VaultRotationTests
{
    protected override PatchbayApp NewApp() => new SqliteApp();
}

public sealed class PostgresVaultRotationTests(PostgresServer server) : VaultRotationTests
{
    protected override PatchbayApp NewApp() => new PostgresApp(server);
}

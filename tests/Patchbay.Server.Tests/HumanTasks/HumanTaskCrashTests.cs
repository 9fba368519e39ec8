using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.HumanTasks;

// The real server process, SIGKILLed while ten executions wait on human tasks, then started again (same database and
// master key): every form still answers at the same id, each submission resumes its execution exactly once, a second
// submission is refused, and every execution completes with its own answer, each node recorded once.
public abstract class HumanTaskCrashTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract Task<(string Provider, string ConnectionString)> DatabaseAsync();

    protected abstract Task DropAsync(string connectionString);

    static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static async Task<ServerProcess> StartAsync(Dictionary<string, string> environment, string baseUrl)
    {
        var server = ServerProcess.Start([], environment);
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(server.HasExited, "The server exited:\n" + server.Output);
            try
            {
                if ((await http.GetAsync($"{baseUrl}/readyz", Ct)).IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException) { }
            await Task.Delay(200, Ct);
        }
        await server.DisposeAsync();
        Assert.Fail("The server did not become ready");
        return null!;
    }

    [Fact]
    public async Task SigkillWhileTenExecutionsWaitOnHumanTasks_EachSubmissionAfterRestartResumesItsExecutionOnce()
    {
        var (provider, connectionString) = await DatabaseAsync();
        var data = Path.Combine(Path.GetTempPath(), "patchbay-crash", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var key = "tk" + Guid.NewGuid().ToString("D");
        var baseUrl = $"http://127.0.0.1:{FreePort()}";
        var environment = new Dictionary<string, string>
        {
            ["Urls"] = baseUrl,
            ["Patchbay__DataDirectory"] = data,
            ["Patchbay__Database__Provider"] = provider,
            ["Patchbay__Database__ConnectionString"] = connectionString,
            ["Patchbay__Vault__MasterKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Patchbay__Bootstrap__TestApiKey"] = key,
            ["Patchbay__RateLimits__Enabled"] = "false",
            ["Patchbay__Workflows__LeaseDuration"] = "00:00:05",
            ["Patchbay__Workflows__PollInterval"] = "00:00:00.200",
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(baseUrl) };
            client.DefaultRequestHeaders.Add("x-api-key", key);
            var executions = new List<string>();
            var tasks = new Dictionary<string, string>();
            var first = await StartAsync(environment, baseUrl);
            try
            {
                var account = "crash_" + Guid.NewGuid().ToString("N")[..8];
                (await client.PostAsJsonAsync("/api/v2/public/linked-account", new { linked_account_id = account }, Ct)).EnsureSuccessStatusCode();
                client.DefaultRequestHeaders.Add("linked_account_id", account);
                var created = await (await client.PostAsJsonAsync("/api/v2/public/workflow", new { name = "crash human task" }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
                var draft = created.GetProperty("workflow").GetProperty("_id").GetString()!;
                var graph = JsonSerializer.Serialize(new
                {
                    nodes = new object[]
                    {
                        new { id = "start", type = "start" },
                        new
                        {
                            id = "ask", type = "human_task",
                            data = new
                            {
                                name = "Answer #{{payload.i}}", expire_in = "PT1H",
                                form_structure = new { type = "object", required = new[] { "answer" }, properties = new { answer = new { type = "integer" } } },
                            },
                        },
                        new { id = "after", type = "code", data = new { code = "return { i: payload.i, answer: nodes.ask.output.answer };" } },
                        new { id = "out", type = "response", data = new { body = "{{nodes.after.output}}" } },
                    },
                    edges = new[] { new { source = "start", target = "ask" }, new { source = "ask", target = "after" }, new { source = "after", target = "out" } },
                });
                (await client.PutAsync($"/api/v2/public/workflow/{draft}", new StringContent(graph, Encoding.UTF8, "application/json"), Ct)).EnsureSuccessStatusCode();
                var published = await (await client.PutAsJsonAsync($"/api/v2/public/workflow/{draft}/publish", new { published = true }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
                var version = published.GetProperty("_id").GetString()!;
                for (var i = 0; i < 10; i++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/workflow/{version}/execute") { Content = JsonContent.Create(new { i }) };
                    var started = await (await client.SendAsync(request, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
                    executions.Add(started.GetProperty("execution_id").GetString()!);
                }

                // All ten parked on their forms.
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (tasks.Count < executions.Count && DateTime.UtcNow < deadline)
                {
                    foreach (var id in executions.Where(e => !tasks.ContainsKey(e)))
                    {
                        var e = await client.GetFromJsonAsync<JsonElement>($"/api/v2/public/execution/{id}", Ct);
                        var last = e.GetProperty("nodes").EnumerateArray().LastOrDefault();
                        if (last.ValueKind == JsonValueKind.Object && last.GetProperty("node_status").GetString() == "Waiting"
                            && last.GetProperty("latest_output").TryGetProperty("human_task_id", out var taskId))
                        {
                            tasks[id] = taskId.GetString()!;
                        }
                    }
                    await Task.Delay(200, Ct);
                }
                Assert.True(tasks.Count == executions.Count, $"only {tasks.Count} executions reached their human task\n{first.Output}");
            }
            finally
            {
                await first.DisposeAsync(); // Process.Kill: SIGKILL, no shutdown
            }

            await using var second = await StartAsync(environment, baseUrl);
            using var anonymous = new HttpClient { BaseAddress = new Uri(baseUrl) };
            var answers = await Task.WhenAll(executions.Select((id, i) =>
                anonymous.PostAsJsonAsync($"/api/v2/public/human-tasks/{tasks[id]}", new { data = new { answer = i * 7 } }, Ct)));
            foreach (var answer in answers) await ApiAssert.OkAsync(answer);
            foreach (var id in executions)
            {
                var again = await anonymous.PostAsJsonAsync($"/api/v2/public/human-tasks/{tasks[id]}", new { data = new { answer = -1 } }, Ct);
                await ApiAssert.ErrorAsync(again, 400, "BAD_REQUEST", "SERVER_ERROR", "Form has already been submitted");
            }

            var finished = new Dictionary<string, JsonElement>();
            var until = DateTime.UtcNow.AddSeconds(120); // ten resumes, each a code step, on a starved machine
            while (finished.Count < executions.Count && DateTime.UtcNow < until)
            {
                foreach (var id in executions.Where(e => !finished.ContainsKey(e)))
                {
                    var e = await client.GetFromJsonAsync<JsonElement>($"/api/v2/public/execution/{id}", Ct);
                    if (e.GetProperty("status").GetString() != "RUNNING") finished[id] = e;
                }
                await Task.Delay(200, Ct);
            }
            Assert.True(finished.Count == executions.Count, $"{executions.Count - finished.Count} executions never finished\n{second.Output}");
            for (var i = 0; i < executions.Count; i++)
            {
                var e = finished[executions[i]];
                Assert.True(e.GetProperty("status").GetString() == "COMPLETED", e.ToString());
                Assert.Equal($$"""{"i":{{i}},"answer":{{i * 7}}}""", e.GetProperty("return_value").GetRawText());
                Assert.Equal(["start", "ask", "after", "out"], e.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("node_id").GetString())); // each once
            }
        }
        finally
        {
            await DropAsync(connectionString);
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }
}

public sealed class SqliteHumanTaskCrashTests : HumanTaskCrashTests
{
    readonly SqliteScratchDatabase database = new();

    protected override Task<(string Provider, string ConnectionString)> DatabaseAsync() => database.CreateAsync();

    protected override Task DropAsync(string connectionString) => database.DropAsync();
}

public sealed class PostgresHumanTaskCrashTests(PostgresServer server) : HumanTaskCrashTests
{
    protected override async Task<(string Provider, string ConnectionString)> DatabaseAsync() => ("Postgres", await server.CreateDatabaseAsync());

    protected override Task DropAsync(string connectionString) => server.DropDatabaseAsync(connectionString);
}

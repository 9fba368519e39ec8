using Patchbay.Tests.Infrastructure;
using Xunit;
using static Patchbay.Tests.HumanTasks.HumanTaskApi;
using static Patchbay.Tests.Workflows.WorkflowApi;

namespace Patchbay.Tests.HumanTasks;

// The submission refusals docs/human-tasks.md lists beyond the approval form's (HumanTaskTests): a closed form
// (additionalProperties: false), integer, minimum/maximum, minLength/maxLength, email and date-time formats, and the
// 256 KB limit on the stored data. Each answers 400 in the error shape with the documented message, leaves the task
// and its execution as they were, and a valid submission afterwards still resumes the execution.
public abstract class HumanTaskFormValidationTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    // start → ask (a closed form; `ref` prefilled) → a response echoing the submitted values.
    static System.Text.Json.Nodes.JsonObject ClosedFormFlow() => Graph(
        [
            Node("start", "start"),
            Node("ask", "human_task", new
            {
                name = "Book a slot",
                expire_in = 3600,
                form_structure = new
                {
                    type = "object",
                    additionalProperties = false,
                    required = new[] { "seats" },
                    properties = new Dictionary<string, object>
                    {
                        ["ref"] = new { type = "string", readOnly = true },
                        ["seats"] = new { type = "integer", minimum = 1, maximum = 10 },
                        ["price"] = new { type = "number", minimum = 0.5, maximum = 99.5 },
                        ["code"] = new { type = "string", minLength = 3, maxLength = 5 },
                        ["contact"] = new { type = "string", format = "email" },
                        ["at"] = new { type = "string", format = "date-time" },
                        ["note"] = new { type = "string" },
                    },
                },
                data = new { @ref = "{{payload.ref}}" },
            }),
            Node("done", "response", new { body = new { seats = "{{nodes.ask.output.seats}}", contact = "{{nodes.ask.output.contact}}", @ref = "{{nodes.ask.output.ref}}" } }),
        ],
        [Edge("start", "ask"), Edge("ask", "done")]);

    public static TheoryData<string, string> Refusals() => new()
    {
        { """{"seats":2,"extra":"x"}""", "Field 'extra' is not part of the form" },
        { """{"seats":2.5}""", "Field 'seats' must be of type integer" },
        { """{"seats":"2"}""", "Field 'seats' must be of type integer" },
        { """{"seats":0}""", "Field 'seats' must be at least 1" },
        { """{"seats":11}""", "Field 'seats' must be at most 10" },
        { """{"seats":2,"price":0.25}""", "Field 'price' must be at least 0.5" },
        { """{"seats":2,"price":100}""", "Field 'price' must be at most 99.5" },
        { """{"seats":2,"code":"ab"}""", "Field 'code' must be at least 3 characters" },
        { """{"seats":2,"code":"abcdef"}""", "Field 'code' must be at most 5 characters" },
        { """{"seats":2,"contact":"nobody"}""", "Field 'contact' must be an email address" },
        { """{"seats":2,"contact":"someone@"}""", "Field 'contact' must be an email address" },
        { """{"seats":2,"at":"tomorrow at noon"}""", "Field 'at' must be a date and time (ISO 8601)" },
        { """{"seats":2,"at":"2026-13-01T10:00:00Z"}""", "Field 'at' must be a date and time (ISO 8601)" },
        // 300 KB of note: under the request body's limit (1 MB), over the stored data's.
        { """{"seats":2,"note":"NOTE_300_KB"}""", "The form's data is limited to 256 KB" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Refusal_Answers400_StoresNothing_AndAValidSubmissionStillWorks(string data, string message)
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        var (_, version) = await PublishAsync(client, ClosedFormFlow());
        var id = await StartAsync(client, version, new { @ref = "R-7" });
        await RunWorkersAsync(app);
        var taskId = await WaitingAskAsync(client, id);
        var anonymous = app.CreateClient();
        var before = await ApiAssert.OkAsync(await anonymous.GetAsync($"/api/v2/public/human-tasks/{taskId}", Ct));

        data = data.Replace("NOTE_300_KB", new string('n', 300 * 1024), StringComparison.Ordinal);
        var body = new StringContent($$"""{"data":{{data}}}""", System.Text.Encoding.UTF8, "application/json");
        await ApiAssert.ErrorAsync(await anonymous.PostAsync($"/api/v2/public/human-tasks/{taskId}", body, Ct), 400, "BAD_REQUEST", "VALIDATION_ERROR", message);

        // Nothing stored: the task reads as before (still waiting, the prefilled data only), the execution still waits.
        var after = await ApiAssert.OkAsync(await anonymous.GetAsync($"/api/v2/public/human-tasks/{taskId}", Ct));
        Assert.Equal("WAITING", after.Str("status"));
        Assert.Equal("""{"ref":"R-7"}""", after.GetProperty("data").GetRawText());
        Assert.Equal(before.Str("updatedAt"), after.Str("updatedAt"));
        await RunWorkersAsync(app);
        Assert.Equal("RUNNING", (await ExecutionAsync(client, id)).Str("status"));

        await ApiAssert.OkAsync(await SubmitAsync(anonymous, taskId,
            new { seats = 10, price = 99.5, code = "abc", contact = "ada@example.com", at = "2026-12-01T10:00:00Z", note = "window seat", @ref = "R-7" }));
        await RunWorkersAsync(app);
        var done = await ExecutionAsync(client, id);
        Assert.Equal("COMPLETED", done.Str("status"));
        Assert.Equal("""{"seats":10,"contact":"ada@example.com","ref":"R-7"}""", done.GetProperty("return_value").GetRawText());
        Assert.Equal("SUBMITTED", (await ApiAssert.OkAsync(await anonymous.GetAsync($"/api/v2/public/human-tasks/{taskId}", Ct))).Str("status"));
    }

    // The boundaries themselves are accepted (minimum/maximum and the lengths are inclusive; a whole number written
    // with a fraction of zero is an integer).
    [Fact]
    public async Task Boundaries_AreAccepted()
    {
        var (key, account) = await OrgAsync(app);
        var client = app.ClientFor(key, account);
        var (_, version) = await PublishAsync(client, ClosedFormFlow());
        var id = await StartAsync(client, version, new { @ref = "R-8" });
        await RunWorkersAsync(app);
        var taskId = await WaitingAskAsync(client, id);
        var body = new StringContent("""{"data":{"seats":1.0,"price":0.5,"code":"abcde","at":"2026-12-01T10:00:00+02:00"}}""", System.Text.Encoding.UTF8, "application/json");
        await ApiAssert.OkAsync(await app.CreateClient().PostAsync($"/api/v2/public/human-tasks/{taskId}", body, Ct));
        await RunWorkersAsync(app);
        Assert.Equal("COMPLETED", (await ExecutionAsync(client, id)).Str("status"));
    }

    static async Task<string> WaitingAskAsync(HttpClient client, string executionId)
    {
        var execution = await ExecutionAsync(client, executionId);
        var node = execution.GetProperty("nodes").EnumerateArray().Last();
        Assert.Equal("ask", node.Str("node_id"));
        Assert.Equal("Waiting", node.Str("node_status"));
        return node.GetProperty("latest_output").Str("human_task_id");
    }
}

public sealed class SqliteHumanTaskFormValidationTests(SqliteApp<FakeProviderOptions> app) : HumanTaskFormValidationTests(app), IClassFixture<SqliteApp<FakeProviderOptions>>;
public sealed class PostgresHumanTaskFormValidationTests(PostgresApp<FakeProviderOptions> app) : HumanTaskFormValidationTests(app), IClassFixture<PostgresApp<FakeProviderOptions>>;

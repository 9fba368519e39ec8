using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Executions;
using Patchbay.Hosted;
using Patchbay.Http;
using Patchbay.Workers;

namespace Patchbay.HumanTasks;

// Human tasks, refold-api.md §3.19 (HT1, HT2), and the hosted form page for them. No authentication: the task's id is
// the secret, so an unknown, malformed and foreign id all answer the same 404.
public static class HumanTasksApi
{
    // A submission's data, as stored (the node's output).
    const int MaxDataBytes = 256 * 1024;

    public static void MapHumanTasks(this IEndpointRouteBuilder app)
    {
        var tasks = app.MapPublic("Human Tasks", "/human-tasks").AllowAnonymous();
        tasks.MapGet("/{id}", Get).WithSummary("Get a human task's form (no authentication: the id is the secret)");
        tasks.MapPost("/{id}", Submit).WithSummary("Submit a human task's form and resume its workflow")
            .Accepts<SubmitHumanTaskRequest>("application/json");

        app.MapGet("/human-tasks/{id}", Page).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/human-tasks/assets/{file}", Asset).AllowAnonymous().ExcludeFromDescription();
    }

    // The link the task's person opens.
    public static string PageUrl(string publicBase, string id) => $"{publicBase}/human-tasks/{id}";

    static ApiError NotFound() => ApiError.NotFound(ErrorCodes.ServerError, "Specified Form Not Found");

    static async Task<HumanTaskRow?> FindAsync(string id, HumanTaskStore store, CancellationToken ct) =>
        HumanTaskIds.IsWellFormed(id) ? await store.GetAsync(HumanTaskIds.Hash(id), ct) : null;

    static async Task<Results<Ok<HumanTaskResponse>, ApiError>> Get(string id, HumanTaskStore store, TimeProvider time, CancellationToken ct)
    {
        if (await FindAsync(id, store, ct) is not { } task) return NotFound();
        return TypedResults.Ok(ToResponse(id, task, time.GetUtcNow()));
    }

    // A WAITING task past its expiry reads TIMEOUT at once, whether or not the expiry worker has marked it yet.
    static HumanTaskResponse ToResponse(string id, HumanTaskRow t, DateTimeOffset now) => new(
        id, t.Name, t.Description, JsonNode.Parse(t.FormStructure), JsonNode.Parse(t.UiStructure), t.TaskGroup,
        JsonNode.Parse(t.SubmittedData ?? t.Data), t.Status == HumanTaskStatus.Waiting && t.ExpiresAt <= now ? HumanTaskStatus.Timeout : t.Status,
        t.ExpiresAt, JsonNode.Parse(t.ReceiverEmails), t.CreatedAt, t.UpdatedAt);

    static async Task<Results<Ok<MessageResponse>, ApiError>> Submit(
        string id, HttpContext http, HumanTaskStore store, Outbox outbox, ExecutionWorker worker, TimeProvider time, CancellationToken ct)
    {
        if (await FindAsync(id, store, ct) is not { } task) return NotFound();
        var body = await JsonBody.ReadNodeAsync(http);
        if (body["data"] is not JsonObject submitted) return ApiError.Validation("'data' must be an object of the form's values");
        if (Refusal(task, time.GetUtcNow()) is { } refused) return refused;
        var result = HumanTaskInput.Check((JsonObject)JsonNode.Parse(task.FormStructure)!, JsonNode.Parse(task.UiStructure) as JsonObject ?? [],
            (JsonObject)JsonNode.Parse(task.Data)!, submitted);
        if (result.Error is { } error) return ApiError.Validation(error);
        var data = result.Data!.ToJsonString();
        if (data.Length > MaxDataBytes) return ApiError.Validation($"The form's data is limited to {MaxDataBytes / 1024} KB");
        var now = time.GetUtcNow();
        if (!await store.SubmitAsync(task.Id, data, outbox, now, ct))
            return Refusal(await store.GetAsync(task.Id, ct) ?? task, now) ?? NotFound(); // another submission or the expiry came first
        worker.Wake();
        return TypedResults.Ok(new MessageResponse("Form submitted successfully"));
    }

    static ApiError? Refusal(HumanTaskRow task, DateTimeOffset now) =>
        task.Status == HumanTaskStatus.Submitted ? ApiError.BadRequest(ErrorCodes.ServerError, "Form has already been submitted")
        : task.Status == HumanTaskStatus.Timeout || task.ExpiresAt <= now ? ApiError.BadRequest(ErrorCodes.ServerError, "Form has expired")
        : null;

    static IResult Page(HttpContext http)
    {
        // The URL carries the task's id (its only credential): the page headers keep it out of caches and referrers.
        PageHeaders.Apply(http.Response, "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'");
        return Results.Text(HostedApi.Read("human-task.html"), "text/html; charset=utf-8");
    }

    static IResult Asset(string file, HttpContext http)
    {
        var type = Path.GetExtension(file) switch { ".js" => "text/javascript; charset=utf-8", ".css" => "text/css; charset=utf-8", _ => null };
        // The form's own files and the Connect page's stylesheet it builds on.
        if (type is null || (!file.StartsWith("human-task", StringComparison.Ordinal) && file != "connect.css") || !HostedApi.Exists(file))
            return ApiError.NotFound(ErrorCodes.RouteNotFound, $"No asset {file}");
        http.Response.Headers.CacheControl = "public, max-age=300";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Text(HostedApi.Read(file), type);
    }
}

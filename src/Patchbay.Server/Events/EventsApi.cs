using Patchbay.Executions;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Configs;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.LinkedAccounts;

namespace Patchbay.Events;

// Custom events of the org's default app (refold-api.md §3.8 EV1–EV5) and firing them (EV6–EV10).
public static class EventsApi
{
    internal static void Map(IEndpointRouteBuilder app)
    {
        foreach (var prefix in (string[])[Routes.Public + "/application/event", Routes.Public + "/event"]) // the Node SDK's stale paths too
        {
            var api = app.MapGroup(prefix).WithTags("Events").RequireAuthorization(Policies.Org);
            // The stale paths are the same operations; left out of the reference, where /event/{eventId} would also
            // clash with POST /event/{slug} (one path template, two parameter names).
            if (prefix.EndsWith("/event", StringComparison.Ordinal) && !prefix.EndsWith("application/event", StringComparison.Ordinal))
                api.ExcludeFromDescription();
            api.MapGet("", List).WithSummary("List the default app's events");
            api.MapGet("/{eventId}", Get).WithSummary("Get an event");
            api.MapPut("/{eventId}", Update).WithSummary("Update an event").Accepts<EventRequest>("application/json");
            api.MapDelete("/{eventId}", Delete).WithSummary("Delete an event");
            if (prefix.EndsWith("application/event", StringComparison.Ordinal))
                api.MapPost("", Create).WithSummary("Create an event").Accepts<EventRequest>("application/json");
        }
        var fire = app.MapGroup("").WithTags("Events").RequireAuthorization(Policies.LinkedAccount)
            .WithHeader("config_id", required: false, "The config whose enabled workflows run (default: the linked account's id).")
            .WithHeader("instance_tag", required: false, "A tag stored on the executions.")
            .WithHeader("idempotency-key", required: false, "Fires once per key (also `idempotency_key`).");
        fire.MapPost(Routes.Public + "/event/trigger", Fire).WithSummary("Fire an event").Accepts<FireEventRequest>("application/json")
            .WithHeader("slug", required: false, "Only this app's workflows.");
        fire.MapPost(Routes.Public + "/event/{slug}", FireForSlug).WithSummary("Fire an event for one app's workflows").Accepts<FireEventRequest>("application/json");
        fire.MapPost(Routes.Public + "/event", Fire).WithSummary("Fire an event (legacy path)").Accepts<FireEventRequest>("application/json")
            .WithHeader("slug", required: false, "Only this app's workflows.");
        fire.MapPost("/api/v1/event/trigger", Fire).WithSummary("Fire an event (v1 path)").Accepts<FireEventRequest>("application/json")
            .WithHeader("slug", required: false, "Only this app's workflows.");
        fire.MapPost("/api/v1/webhook/{appId}", Fire).WithSummary("Fire an event through the default app's event URL").Accepts<FireEventRequest>("application/json")
            .WithHeader("slug", required: false, "Only this app's workflows.");
    }

    static async Task<Ok<IReadOnlyList<EventResponse>>> List(Caller caller, EventStore events, CancellationToken ct) =>
        TypedResults.Ok(await AllAsync(events, caller, ct));

    static async Task<Results<Ok<EventResponse>, ApiError>> Get(string eventId, Caller caller, EventStore events, CancellationToken ct) =>
        await events.FindAsync(caller.OrgId, caller.Environment, eventId, ct) is { } row ? TypedResults.Ok(row.ToResponse()) : NotFound();

    static async Task<Results<Ok<IReadOnlyList<EventResponse>>, ApiError>> Create(
        HttpContext http, Caller caller, EventStore events, TimeProvider time, CancellationToken ct)
    {
        var input = await EventInput.ReadAsync(http, update: false);
        var now = time.GetUtcNow();
        var row = new EventRow(Ids.New(now), caller.OrgId, caller.Environment, input.Name, input.Response, EventRow.Serialize(input.Fields),
            input.JsonSchema, now, now);
        if (!await events.TryInsertAsync(row, ct)) return NameTaken(input.Name);
        return TypedResults.Ok(await AllAsync(events, caller, ct));
    }

    static async Task<Results<Ok<IReadOnlyList<EventResponse>>, ApiError>> Update(
        string eventId, HttpContext http, Caller caller, EventStore events, TimeProvider time, CancellationToken ct)
    {
        if (await events.FindAsync(caller.OrgId, caller.Environment, eventId, ct) is not { } existing) return NotFound();
        var input = await EventInput.ReadAsync(http, update: true);
        var row = existing with
        {
            Name = input.Name, Response = input.Response, Fields = EventRow.Serialize(input.Fields), JsonSchema = input.JsonSchema,
            UpdatedAt = time.GetUtcNow(),
        };
        if (!await events.TryUpdateAsync(row, ct)) return NameTaken(input.Name);
        return TypedResults.Ok(await AllAsync(events, caller, ct));
    }

    static async Task<Results<Ok<IReadOnlyList<EventResponse>>, ApiError>> Delete(string eventId, Caller caller, EventStore events, CancellationToken ct)
    {
        if (await events.FindAsync(caller.OrgId, caller.Environment, eventId, ct) is not { } existing) return NotFound();
        await events.DeleteAsync(existing.Id, ct);
        return TypedResults.Ok(await AllAsync(events, caller, ct));
    }

    static Task<Results<Ok<EventFiredResponse>, ApiError>> Fire(HttpContext http, Caller caller, EventStore events, LinkedAccountStore accounts,
        ConfigStore configs, ExecutionService executions, CancellationToken ct) =>
        FireAsync(http, caller, null, events, accounts, configs, executions, ct);

    static Task<Results<Ok<EventFiredResponse>, ApiError>> FireForSlug(string slug, HttpContext http, Caller caller, EventStore events,
        LinkedAccountStore accounts, ConfigStore configs, ExecutionService executions, CancellationToken ct) =>
        FireAsync(http, caller, slug, events, accounts, configs, executions, ct);

    // Fires an event for the linked account: every live workflow listening to it starts. Returns once the executions
    // are queued.
    static async Task<Results<Ok<EventFiredResponse>, ApiError>> FireAsync(HttpContext http, Caller caller, string? slug, EventStore events,
        LinkedAccountStore accounts, ConfigStore configs, ExecutionService executions, CancellationToken ct)
    {
        var input = await EventFireInput.ReadAsync(http, slug, ct);
        if (string.IsNullOrWhiteSpace(input.EventName)) return ApiError.Validation("'event' is required");
        if (!await events.ExistsAsync(caller.OrgId, caller.Environment, input.EventName, ct)) return ApiError.NotFound("INVALID_EVENT", "Trigger not found");
        if (await accounts.ForCallerAsync(caller, ct) is not { } account)
            return caller.LinkedAccountNotFound(caller.AccountId);

        var headers = http.Request.Headers;
        // The chosen config (config_id header or body; else the default one) decides which public workflows run.
        var configId = ConfigInput.ConfigIdFrom(EventFireInput.NonEmpty(headers["config_id"]) ?? input.ConfigId, "config_id") ?? account.AccountId;
        var versions = await configs.EventWorkflowsAsync(caller.OrgId, caller.Environment, account.Id, configId, input.EventName,
            EventFireInput.NonEmpty(headers["slug"]) ?? input.Slug, ct);
        await executions.FireAsync(versions, account, configId, input.Payload, input.EventName, EventFireInput.NonEmpty(headers["instance_tag"]),
            EventFireInput.NonEmpty(headers["idempotency-key"]) ?? EventFireInput.NonEmpty(headers["idempotency_key"]), ct);
        return TypedResults.Ok(new EventFiredResponse("Webhook Fired Success"));
    }

    static async Task<IReadOnlyList<EventResponse>> AllAsync(EventStore events, Caller caller, CancellationToken ct) =>
        [.. (await events.ListAsync(caller.OrgId, caller.Environment, ct)).Select(e => e.ToResponse())];

    static ApiError NotFound() => ApiError.NotFound(ErrorCodes.ResourceNotFound, "Event not found");

    static ApiError NameTaken(string name) => ApiError.BadRequest("INVALID_EVENT_ID", $"Trigger with name {name} already exists");
}

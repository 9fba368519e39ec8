using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Http;

namespace Patchbay.Webhooks;

// Webhook subscriptions, refold-api.md §3.7 (WH1–WH9). Org API key only: Refold's documentation keeps session tokens
// off the webhooks admin (a subscription belongs to the environment, not to one linked account).
public static class WebhooksApi
{
    public static void MapWebhookSubscriptions(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapPublic("Webhooks").RequireAuthorization(Policies.Org);
        hooks.MapGet("/webhook", List).WithSummary("List webhooks for the org/environment");
        hooks.MapPost("/webhook", Create).WithSummary("Register a webhook").Accepts<RegisterWebhookRequest>("application/json");
        hooks.MapDelete("/webhook", DeleteLegacy).WithSummary("Delete the webhook of the deprecated single-webhook API (the oldest)");
        hooks.MapPost("/webhook/subscribe", Subscribe).WithSummary("Deprecated: add events to the webhook").Accepts<SubscribeRequest>("application/json");
        hooks.MapPost("/webhook/unsubscribe", Unsubscribe).WithSummary("Deprecated: remove an event from the webhook").Accepts<UnsubscribeRequest>("application/json");
        hooks.MapGet("/webhook/{id}", Get).WithSummary("Get a webhook by id");
        hooks.MapPut("/webhook/{id}", Update).WithSummary("Update a webhook").Accepts<UpdateWebhookRequest>("application/json");
        hooks.MapDelete("/webhook/{id}", Delete).WithSummary("Delete a webhook");
        hooks.MapPut("/webhooks/group/edit", EditGroup).WithSummary("Bulk update webhook group membership").Accepts<UpdateWebhooksGroupRequest>("application/json");
    }

    static async Task<Ok<List<WebhookResponse>>> List(Caller caller, WebhookStore store, CancellationToken ct) =>
        TypedResults.Ok((await store.ListAsync(caller.OrgId, caller.Environment, ct)).Select(ToResponse).ToList());

    static async Task<Results<Ok<WebhookResponse>, ApiError>> Create(HttpContext http, Caller caller, WebhookStore store, Vault.Vault vault,
        TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var input = WebhookInput.Parse(body.RootElement);
        if (input.Url is null) return ApiError.Validation("'webhook_url' is required");
        if (input.Events is not { Count: > 0 } events) return ApiError.Validation("'webhook_events' must hold at least one event");
        if (input.Slug is not null && events.Any(e => !WebhookEvents.PerApp.Contains(e))) return WebhookInput.InvalidEvent;
        JsonNode template;
        switch (input.Type)
        {
            case WebhookTypes.Default: template = WebhookTemplates.DefaultBody; break;
            case WebhookTypes.Slack: template = input.Body is { } b && WebhookTemplates.TypeOf(b) == WebhookTypes.Slack ? b : WebhookTemplates.SlackBody; break;
            case WebhookTypes.Custom:
                if (input.Body is null) return ApiError.Validation("'webhook_body' is required when 'webhook_type' is custom");
                template = input.Body;
                break;
            default: template = input.Body ?? WebhookTemplates.DefaultBody; break;
        }

        var now = time.GetUtcNow();
        var id = Ids.New(now);
        var row = new WebhookRow
        {
            Id = id, OrgId = caller.OrgId, Environment = caller.Environment, WebhookUrl = input.Url,
            WebhookEvents = JsonSerializer.Serialize(events), WorkflowIds = JsonSerializer.Serialize(input.WorkflowIds ?? []),
            Slug = input.Slug, WebhookBody = WebhookTemplates.Store(template), WebhookHeaders = input.Headers?.ToJsonString(),
            WebhookDescription = input.WebhookDescription, Description = input.Description, Method = input.Method ?? WebhookMethods.Post,
            GroupName = input.Group, IsEnabled = input.IsEnabled ?? true, SealedSecret = vault.Seal(NewSecret(), WebhookStore.SealContext(id)),
            CreatedAt = now, UpdatedAt = now,
        };
        await store.InsertAsync(row, ct);
        return TypedResults.Ok(ToResponse(row));
    }

    static async Task<Results<Ok<WebhookResponse>, ApiError>> Get(string id, Caller caller, WebhookStore store, CancellationToken ct) =>
        await store.GetAsync(caller.OrgId, caller.Environment, id, ct) is { } row ? TypedResults.Ok(ToResponse(row)) : WebhookErrors.NotFound;

    static async Task<Results<Ok<WebhookResponse>, ApiError>> Update(string id, HttpContext http, Caller caller, Db db, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var input = WebhookInput.Parse(body.RootElement);
        var now = time.GetUtcNow();
        return await db.InTransactionAsync<Results<Ok<WebhookResponse>, ApiError>>(async tx =>
        {
            await tx.Dialect.LockRowAsync(tx, "webhooks", id, ct);
            if (await WebhookStore.GetAsync(tx, caller.OrgId, caller.Environment, id, ct) is not { } row) return WebhookErrors.NotFound;
            if (Apply(row, input, now) is not { } updated) return ApiError.Validation("'webhook_body' is required when 'webhook_type' is custom");
            if (updated.Slug is not null && Events(updated).Any(e => !WebhookEvents.PerApp.Contains(e))) return WebhookInput.InvalidEvent;
            if (Events(updated).Count == 0) return ApiError.Validation("'webhook_events' must hold at least one event");
            await WebhookStore.UpdateAsync(tx, updated, ct);
            return TypedResults.Ok(ToResponse(updated));
        }, ct);
    }

    // Patch semantics; `webhook_body` is honoured only when the subscription is (or becomes) custom.
    static WebhookRow? Apply(WebhookRow row, WebhookInput input, DateTimeOffset now)
    {
        var current = WebhookTemplates.Load(row.WebhookBody);
        var body = input.Type switch
        {
            WebhookTypes.Default => WebhookTemplates.DefaultBody,
            WebhookTypes.Slack => input.Body is { } b && WebhookTemplates.TypeOf(b) == WebhookTypes.Slack ? b : WebhookTemplates.SlackBody,
            WebhookTypes.Custom => input.Body ?? (WebhookTemplates.TypeOf(current) == WebhookTypes.Custom ? current : null),
            _ => input.Body is { } given && WebhookTemplates.TypeOf(current) == WebhookTypes.Custom ? given : current,
        };
        if (body is null) return null;
        var enabling = input.IsEnabled == true && !row.IsEnabled;
        return row with
        {
            WebhookUrl = input.Url ?? row.WebhookUrl,
            WebhookEvents = input.Events is { } events ? JsonSerializer.Serialize(events) : row.WebhookEvents,
            WorkflowIds = input.WorkflowIds is { } ids ? JsonSerializer.Serialize(ids) : row.WorkflowIds,
            Slug = input.HasSlug ? input.Slug : row.Slug,
            WebhookBody = WebhookTemplates.Store(body),
            WebhookHeaders = input.HasHeaders ? input.Headers?.ToJsonString() : row.WebhookHeaders,
            WebhookDescription = input.HasWebhookDescription ? input.WebhookDescription : row.WebhookDescription,
            Description = input.HasDescription ? input.Description : row.Description,
            Method = input.Method ?? row.Method,
            GroupName = input.HasGroup ? input.Group : row.GroupName,
            IsEnabled = input.IsEnabled ?? row.IsEnabled,
            FailingSince = enabling ? null : row.FailingSince,
            DisabledReason = enabling ? null : row.DisabledReason,
            DisabledAt = enabling ? null : row.DisabledAt,
            UpdatedAt = now,
            Version = row.Version + 1,
        };
    }

    static async Task<Results<Ok<List<WebhookResponse>>, ApiError>> Delete(string id, Caller caller, Db db, TimeProvider time, CancellationToken ct) =>
        await db.InTransactionAsync<Results<Ok<List<WebhookResponse>>, ApiError>>(async tx =>
        {
            if (await WebhookStore.DeleteAsync(tx, caller.OrgId, caller.Environment, id, time.GetUtcNow(), ct) == 0) return WebhookErrors.NotFound;
            return TypedResults.Ok((await WebhookStore.ListAsync(tx, caller.OrgId, caller.Environment, ct)).Select(ToResponse).ToList());
        }, ct);

    // WH9, the deprecated single-webhook model's delete: the environment's first webhook goes; the rest are returned.
    static async Task<Results<Ok<List<WebhookResponse>>, ApiError>> DeleteLegacy(Caller caller, Db db, TimeProvider time, CancellationToken ct) =>
        await db.InTransactionAsync<Results<Ok<List<WebhookResponse>>, ApiError>>(async tx =>
        {
            if (await WebhookStore.OldestAsync(tx, caller.OrgId, caller.Environment, ct) is not { } oldest) return WebhookErrors.NotFound;
            await WebhookStore.DeleteAsync(tx, caller.OrgId, caller.Environment, oldest.Id, time.GetUtcNow(), ct);
            return TypedResults.Ok((await WebhookStore.ListAsync(tx, caller.OrgId, caller.Environment, ct)).Select(ToResponse).ToList());
        }, ct);

    static async Task<Results<Ok<List<WebhookResponse>>, ApiError>> EditGroup(HttpContext http, Caller caller, WebhookStore store, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var root = body.RootElement;
        if (!root.TryGetProperty("webhookIds", out var idsElement) || idsElement.ValueKind != JsonValueKind.Array || idsElement.GetArrayLength() == 0
            || idsElement.EnumerateArray().Any(i => i.ValueKind != JsonValueKind.String))
        {
            return ApiError.BadRequest(ErrorCodes.ServerError, "webhookIds is required");
        }
        if (idsElement.GetArrayLength() > 1000) return ApiError.Validation("'webhookIds' may hold at most 1000 ids");
        var ids = idsElement.EnumerateArray().Select(i => i.GetString()!).Distinct().ToList();
        // An empty or falsy group unsets it (refold-api.md §7.13).
        string? group = root.TryGetProperty("group", out var g) && g.ValueKind == JsonValueKind.String && g.GetString() is { Length: > 0 } s
            ? Limits.Check(s, "group", Limits.Name)
            : null;
        if (g.ValueKind is JsonValueKind.Object or JsonValueKind.Array) return ApiError.Validation("'group' must be a string");
        var updated = await store.SetGroupAsync(caller.OrgId, caller.Environment, ids, group, time.GetUtcNow(), ct);
        return TypedResults.Ok(updated.Select(ToResponse).ToList());
    }

    // WH7, WH8: the deprecated API edits the events of the environment's (first) webhook.
    static Task<Results<Ok<LegacyWebhookResponse>, ApiError>> Subscribe(HttpContext http, Caller caller, Db db, TimeProvider time, CancellationToken ct) =>
        EditEventsAsync(http, caller, db, time, "webhook_events", (events, named) => [.. events.Union(named)], ct);

    static Task<Results<Ok<LegacyWebhookResponse>, ApiError>> Unsubscribe(HttpContext http, Caller caller, Db db, TimeProvider time, CancellationToken ct) =>
        EditEventsAsync(http, caller, db, time, "webhook_event", (events, named) => [.. events.Except(named)], ct);

    static async Task<Results<Ok<LegacyWebhookResponse>, ApiError>> EditEventsAsync(HttpContext http, Caller caller, Db db, TimeProvider time, string field,
        Func<IReadOnlyList<string>, IReadOnlyList<string>, List<string>> edit, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var root = body.RootElement;
        var raw = root.TryGetProperty(field, out var value) ? value : default;
        var names = raw.ValueKind switch
        {
            JsonValueKind.String => [raw.GetString()!],
            JsonValueKind.Array when raw.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) => raw.EnumerateArray().Select(e => e.GetString()!).ToList(),
            _ => (List<string>?)null,
        };
        if (names is not { Count: > 0 }) return ApiError.Validation($"'{field}' is required");
        var events = names.Select(WebhookEvents.Normalize).ToList();
        if (events.Any(e => e is null)) return WebhookInput.InvalidEvent;
        var now = time.GetUtcNow();
        return await db.InTransactionAsync<Results<Ok<LegacyWebhookResponse>, ApiError>>(async tx =>
        {
            if (await WebhookStore.OldestAsync(tx, caller.OrgId, caller.Environment, ct) is not { } row) return WebhookErrors.NotFound;
            await tx.Dialect.LockRowAsync(tx, "webhooks", row.Id, ct);
            row = await WebhookStore.GetAsync(tx, caller.OrgId, caller.Environment, row.Id, ct) ?? row;
            var edited = edit(Events(row), events!);
            if (edited.Count == 0) return ApiError.Validation("A webhook must keep at least one event");
            if (row.Slug is not null && edited.Any(e => !WebhookEvents.PerApp.Contains(e))) return WebhookInput.InvalidEvent;
            var updated = row with { WebhookEvents = JsonSerializer.Serialize(edited), UpdatedAt = now, Version = row.Version + 1 };
            await WebhookStore.UpdateAsync(tx, updated, ct);
            return TypedResults.Ok(new LegacyWebhookResponse(updated.WebhookUrl, edited));
        }, ct);
    }

    public static IReadOnlyList<string> Events(WebhookRow row) => JsonSerializer.Deserialize<List<string>>(row.WebhookEvents) ?? [];

    public static IReadOnlyList<string> WorkflowIds(WebhookRow row) => JsonSerializer.Deserialize<List<string>>(row.WorkflowIds) ?? [];

    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    public static WebhookResponse ToResponse(WebhookRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var body = WebhookTemplates.Load(row.WebhookBody);
        return new WebhookResponse(row.Id, row.OrgId, row.Environment, row.IsEnabled, Events(row), WorkflowIds(row), row.Slug, row.Description,
            row.WebhookUrl, row.WebhookDescription, body, row.WebhookHeaders is { } h ? JsonNode.Parse(h) as JsonObject : null, row.Method,
            row.GroupName, WebhookTemplates.TypeOf(body), row.CreatedAt, row.UpdatedAt, row.Version);
    }
}

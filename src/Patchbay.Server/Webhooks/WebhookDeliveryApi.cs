using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Patchbay.Auth;
using Patchbay.Http;

namespace Patchbay.Webhooks;

// Patchbay's own webhook routes (Refold has none of these): the Standard Webhooks signing secret and its rotation,
// delivery settings (rate limit, why a subscription was disabled), the message and attempt log, replay and recovery,
// and the org's retry schedule, auto-disable period and retention.
public static class WebhookDeliveryApi
{
    public static void MapWebhookDelivery(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Routes.Patchbay).WithTags("Webhook delivery").RequireAuthorization(Policies.Org);
        group.MapGet("/webhooks/{id}/secret", GetSecret).WithSummary("Read a webhook's signing secret (and the previous one during a rotation)");
        group.MapPost("/webhooks/{id}/secret/rotate", RotateSecret).WithSummary("Rotate a webhook's signing secret")
            .Accepts<RotateSecretRequest>("application/json");
        group.MapGet("/webhooks/{id}/delivery", GetDelivery).WithSummary("A webhook's delivery state: rate limit, failure run, why it was disabled");
        group.MapPut("/webhooks/{id}/delivery", PutDelivery).WithSummary("Set a webhook's rate limit (deliveries per second, null for none)")
            .Accepts<UpdateDeliveryRequest>("application/json");
        group.MapGet("/webhooks/{id}/messages", Messages).WithSummary("List a webhook's messages, newest first (status=pending|delivered|failed)");
        group.MapGet("/webhooks/{id}/messages/{message_id}/attempts", Attempts).WithSummary("List the attempts of one message");
        group.MapPost("/webhooks/{id}/messages/{message_id}/resend", Resend).WithSummary("Send one message again now").WithoutBody()
            .Produces<ApiErrorBody>(409, "application/json");
        group.MapPost("/webhooks/{id}/recover", Recover).WithSummary("Send again the failed messages created since a time (a bounded number per call)")
            .Accepts<RecoverRequest>("application/json");
        group.MapGet("/webhook-settings", GetSettings).WithSummary("The environment's retry schedule, auto-disable period and retention");
        group.MapPut("/webhook-settings", PutSettings).WithSummary("Set the environment's retry schedule, auto-disable period and retention")
            .Accepts<WebhookSettingsRequest>("application/json");
    }

    static async Task<Results<Ok<WebhookSecretResponse>, ApiError>> GetSecret(string id, Caller caller, WebhookStore store, Vault.Vault vault,
        TimeProvider time, CancellationToken ct)
    {
        if (await store.GetAsync(caller.OrgId, caller.Environment, id, ct) is not { } hook) return WebhookErrors.NotFound;
        return TypedResults.Ok(await SecretResponseAsync(hook, vault, time.GetUtcNow(), ct));
    }

    static async Task<Results<Ok<WebhookSecretResponse>, ApiError>> RotateSecret(string id, HttpContext http, Caller caller, WebhookStore store,
        Vault.Vault vault, Microsoft.Extensions.Options.IOptions<WebhookOptions> options, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http, required: false);
        var overlap = options.Value.SecretOverlap;
        if (body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("overlap_seconds", out var o) && o.ValueKind != JsonValueKind.Null)
        {
            if (!o.TryGetInt32(out var seconds) || seconds < 0 || seconds > 30 * 86400)
                return ApiError.Validation("'overlap_seconds' must be an integer between 0 and 2592000");
            overlap = TimeSpan.FromSeconds(seconds);
        }
        if (await store.GetAsync(caller.OrgId, caller.Environment, id, ct) is not { } hook) return WebhookErrors.NotFound;
        var now = time.GetUtcNow();
        var fresh = vault.Seal(WebhooksApi.NewSecret(), WebhookStore.SealContext(id));
        await store.RotateSecretAsync(id, fresh, hook.SealedSecret, now + overlap, now, ct);
        var rotated = hook with { SealedSecret = fresh, SealedPreviousSecret = hook.SealedSecret, PreviousSecretUntil = now + overlap };
        return TypedResults.Ok(await SecretResponseAsync(rotated, vault, now, ct));
    }

    static async Task<WebhookSecretResponse> SecretResponseAsync(WebhookRow hook, Vault.Vault vault, DateTimeOffset now, CancellationToken ct)
    {
        var context = WebhookStore.SealContext(hook.Id);
        var secret = (await vault.OpenAsync(hook.SealedSecret, context, ct)).Value;
        var previous = hook.SealedPreviousSecret is { } p && hook.PreviousSecretUntil > now ? (await vault.OpenAsync(p, context, ct)).Value : null;
        return new WebhookSecretResponse(secret, previous, previous is null ? null : hook.PreviousSecretUntil);
    }

    static async Task<Results<Ok<WebhookDeliveryResponse>, ApiError>> GetDelivery(string id, Caller caller, WebhookStore store, CancellationToken ct) =>
        await store.GetAsync(caller.OrgId, caller.Environment, id, ct) is { } hook ? TypedResults.Ok(Delivery(hook)) : WebhookErrors.NotFound;

    static async Task<Results<Ok<WebhookDeliveryResponse>, ApiError>> PutDelivery(string id, HttpContext http, Caller caller, WebhookStore store,
        TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        if (!body.RootElement.TryGetProperty("rate_limit", out var r)) return ApiError.Validation("'rate_limit' is required (null removes the limit)");
        int? rate = null;
        if (r.ValueKind != JsonValueKind.Null)
        {
            if (!r.TryGetInt32(out var value) || value < 1 || value > 10_000) return ApiError.Validation("'rate_limit' must be an integer between 1 and 10000, or null");
            rate = value;
        }
        if (await store.GetAsync(caller.OrgId, caller.Environment, id, ct) is not { } hook) return WebhookErrors.NotFound;
        await store.SetRateLimitAsync(id, rate, time.GetUtcNow(), ct);
        return TypedResults.Ok(Delivery(hook with { RateLimit = rate }));
    }

    static WebhookDeliveryResponse Delivery(WebhookRow h) => new(h.Id, h.IsEnabled, h.RateLimit, h.FailingSince, h.DisabledReason, h.DisabledAt);

    static async Task<Results<Ok<Paginated<WebhookMessageResponse>>, ApiError>> Messages(string id, HttpRequest request, Caller caller, WebhookStore store,
        CancellationToken ct)
    {
        var status = request.Query["status"].ToString() is { Length: > 0 } s ? s : null;
        if (status is not null && !MessageStatuses.All.Contains(status)) return ApiError.Validation("'status' must be one of pending, delivered, failed");
        var page = Page.From(request, defaultLimit: 50, maxLimit: 250);
        if (await store.GetAsync(caller.OrgId, caller.Environment, id, ct) is null) return WebhookErrors.NotFound;
        var (rows, total) = await store.ListMessagesAsync(id, status, page, ct);
        return TypedResults.Ok(Paginated.Of(rows.Select(ToResponse).ToList(), total, page));
    }

    static async Task<Results<Ok<List<WebhookAttemptResponse>>, ApiError>> Attempts(string id, string message_id, Caller caller, WebhookStore store,
        CancellationToken ct)
    {
        if (await store.GetAsync(caller.OrgId, caller.Environment, id, ct) is null) return WebhookErrors.NotFound;
        if (await store.GetMessageAsync(id, message_id, ct) is null) return MessageNotFound;
        var attempts = await store.AttemptsAsync(message_id, ct);
        return TypedResults.Ok(attempts.Select(a => new WebhookAttemptResponse(a.Id, a.MessageId, a.AttemptedAt, a.Status, a.ResponseStatus, a.DurationMs,
            a.ResponseBody, a.Error)).ToList());
    }

    static async Task<Results<Ok<WebhookMessageResponse>, ApiError>> Resend(string id, string message_id, Caller caller, WebhookStore store,
        TimeProvider time, CancellationToken ct)
    {
        if (await store.GetAsync(caller.OrgId, caller.Environment, id, ct) is null) return WebhookErrors.NotFound;
        if (await store.ResendAsync(id, message_id, time.GetUtcNow(), ct) == 0)
        {
            return await store.GetMessageAsync(id, message_id, ct) is null ? MessageNotFound
                : ApiError.Conflict(ErrorCodes.Conflict, "The message is being delivered right now; resend it once this attempt is logged");
        }
        return TypedResults.Ok(ToResponse((await store.GetMessageAsync(id, message_id, ct))!));
    }

    static async Task<Results<Ok<RecoverResponse>, ApiError>> Recover(string id, HttpContext http, Caller caller, WebhookStore store, TimeProvider time,
        Microsoft.Extensions.Options.IOptions<WebhookOptions> options, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var since = Instant(body.RootElement, "since") ?? throw new ApiException(ApiError.Validation("'since' is required (an ISO 8601 instant)"));
        var now = time.GetUtcNow();
        var until = Instant(body.RootElement, "until");
        if (await store.GetAsync(caller.OrgId, caller.Environment, id, ct) is null) return WebhookErrors.NotFound;
        var (recovered, more) = await store.RecoverAsync(id, since, until, options.Value.RecoverPerCall, now, ct);
        return TypedResults.Ok(new RecoverResponse(recovered, more));
    }

    static DateTimeOffset? Instant(JsonElement root, string name) =>
        Json.OptionalString(root, name, max: 64) is not { } text ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at
        : throw new ApiException(ApiError.Validation($"'{name}' must be an ISO 8601 instant"));

    static async Task<Ok<WebhookSettingsResponse>> GetSettings(Caller caller, WebhookStore store, Microsoft.Extensions.Options.IOptions<WebhookOptions> options,
        CancellationToken ct) =>
        TypedResults.Ok(SettingsResponse(options.Value, await store.GetSettingsAsync(caller.OrgId, caller.Environment, ct)));

    static async Task<Results<Ok<WebhookSettingsResponse>, ApiError>> PutSettings(HttpContext http, Caller caller, WebhookStore store,
        Microsoft.Extensions.Options.IOptions<WebhookOptions> options, TimeProvider time, CancellationToken ct)
    {
        using var body = await JsonBody.ReadObjectAsync(http);
        var root = body.RootElement;
        string? schedule = null;
        if (root.TryGetProperty("retry_schedule", out var s) && s.ValueKind != JsonValueKind.Null)
        {
            IReadOnlyList<TimeSpan>? delays = s.ValueKind switch
            {
                JsonValueKind.String when s.GetString() == RetrySchedules.Standard => RetrySchedules.StandardDelays,
                JsonValueKind.String when s.GetString() == RetrySchedules.Refold => RetrySchedules.RefoldDelays,
                JsonValueKind.Array when s.GetArrayLength() <= RetrySchedules.MaxRetries
                    && s.EnumerateArray().All(d => d.TryGetDouble(out var x) && x >= 0 && x <= 7 * 86400) =>
                    s.EnumerateArray().Select(d => TimeSpan.FromSeconds(d.GetDouble())).ToList(),
                _ => null,
            };
            if (delays is null)
                return ApiError.Validation($"'retry_schedule' must be \"standard\", \"refold\" or an array of at most {RetrySchedules.MaxRetries} delays in seconds (0 to 604800)");
            schedule = string.Join(',', delays.Select(d => d.ToString("c", CultureInfo.InvariantCulture)));
        }
        var disableAfter = Seconds(root, "disable_after_seconds", 60, 365 * 86400);
        var retention = Seconds(root, "retention_seconds", 60, 3650L * 86400);
        var row = new WebhookSettingsRow
        {
            OrgId = caller.OrgId, Environment = caller.Environment, RetrySchedule = schedule, DisableAfterSeconds = disableAfter,
            RetentionSeconds = retention, UpdatedAt = time.GetUtcNow(),
        };
        await store.UpsertSettingsAsync(row, ct);
        return TypedResults.Ok(SettingsResponse(options.Value, row));
    }

    static long? Seconds(JsonElement root, string name, long min, long max)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.TryGetInt64(out var n) && n >= min && n <= max ? n : throw new ApiException(ApiError.Validation($"'{name}' must be an integer between {min} and {max}, or null"));
    }

    static WebhookSettingsResponse SettingsResponse(WebhookOptions options, WebhookSettingsRow? row)
    {
        var policy = DeliveryPolicy.For(options, row);
        return new WebhookSettingsResponse(policy.Schedule.Select(d => d.TotalSeconds).ToList(), (long)policy.DisableAfter.TotalSeconds,
            row?.RetentionSeconds ?? (long)options.Retention.TotalSeconds);
    }

    static ApiError MessageNotFound => ApiError.NotFound(ErrorCodes.ResourceNotFound, "Webhook message not found");

    static WebhookMessageResponse ToResponse(WebhookMessageRow m) =>
        new(m.Id, m.WebhookId, m.EventType, m.Status, m.Attempts, m.LastResponseStatus, m.Status == MessageStatuses.Pending ? m.NextAttemptAt : null,
            ParsePayload(m.Body), m.CreatedAt, m.UpdatedAt);

    static JsonNode? ParsePayload(string body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return JsonValue.Create(body);
        }
    }
}

using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Patchbay.Webhooks;

// Refold's webhook subscription (refold-api.md §3.7; OpenAPI `RefoldWebhook`), `webhook_type` computed at read time.
public sealed record WebhookResponse(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("org_id")] string OrgId,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("is_enabled")] bool IsEnabled,
    [property: JsonPropertyName("webhook_events")] IReadOnlyList<string> WebhookEvents,
    [property: JsonPropertyName("workflow_ids")] IReadOnlyList<string> WorkflowIds,
    [property: JsonPropertyName("slug"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Slug,
    [property: JsonPropertyName("description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    [property: JsonPropertyName("webhook_url")] string WebhookUrl,
    [property: JsonPropertyName("webhook_description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WebhookDescription,
    [property: JsonPropertyName("webhook_body")] JsonNode? WebhookBody,
    [property: JsonPropertyName("webhook_headers"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonObject? WebhookHeaders,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("group"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Group,
    [property: JsonPropertyName("webhook_type")] string WebhookType,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("__v")] int Version);

// The deprecated single-webhook API's answer (WH7, WH8).
public sealed record LegacyWebhookResponse(
    [property: JsonPropertyName("webhook_url")] string WebhookUrl,
    [property: JsonPropertyName("webhook_events")] IReadOnlyList<string> WebhookEvents);

// ---- Request bodies (documentation of the wire; parsing is WebhookInput's). ----

public sealed record RegisterWebhookRequest(
    [property: JsonPropertyName("webhook_url")] string WebhookUrl,
    [property: JsonPropertyName("webhook_events")] IReadOnlyList<string> WebhookEvents,
    [property: JsonPropertyName("webhook_headers")] IReadOnlyDictionary<string, string>? WebhookHeaders = null,
    [property: JsonPropertyName("webhook_body")] JsonNode? WebhookBody = null,
    [property: JsonPropertyName("webhook_description")] string? WebhookDescription = null,
    [property: JsonPropertyName("description")] string? Description = null,
    [property: JsonPropertyName("method")] string? Method = null,
    [property: JsonPropertyName("slug")] string? Slug = null,
    [property: JsonPropertyName("workflow_ids")] IReadOnlyList<string>? WorkflowIds = null,
    [property: JsonPropertyName("webhook_type")] string? WebhookType = null,
    [property: JsonPropertyName("is_enabled")] bool? IsEnabled = null,
    [property: JsonPropertyName("group")] string? Group = null);

// WH4: any subset of the fields of WH2.
public sealed record UpdateWebhookRequest(
    [property: JsonPropertyName("webhook_url")] string? WebhookUrl = null,
    [property: JsonPropertyName("webhook_events")] IReadOnlyList<string>? WebhookEvents = null,
    [property: JsonPropertyName("webhook_headers")] IReadOnlyDictionary<string, string>? WebhookHeaders = null,
    [property: JsonPropertyName("webhook_body")] JsonNode? WebhookBody = null,
    [property: JsonPropertyName("webhook_description")] string? WebhookDescription = null,
    [property: JsonPropertyName("description")] string? Description = null,
    [property: JsonPropertyName("method")] string? Method = null,
    [property: JsonPropertyName("slug")] string? Slug = null,
    [property: JsonPropertyName("workflow_ids")] IReadOnlyList<string>? WorkflowIds = null,
    [property: JsonPropertyName("webhook_type")] string? WebhookType = null,
    [property: JsonPropertyName("is_enabled")] bool? IsEnabled = null,
    [property: JsonPropertyName("group")] string? Group = null);

public sealed record UpdateWebhooksGroupRequest(
    [property: JsonPropertyName("webhookIds")] IReadOnlyList<string> WebhookIds,
    [property: JsonPropertyName("group")] string? Group = null);

public sealed record SubscribeRequest([property: JsonPropertyName("webhook_events")] IReadOnlyList<string> WebhookEvents);

public sealed record UnsubscribeRequest([property: JsonPropertyName("webhook_event")] string WebhookEvent);

// ---- Patchbay's own routes: signing secret, delivery settings, the message log, replay. ----

public sealed record WebhookSecretResponse(
    [property: JsonPropertyName("secret")] string Secret,
    [property: JsonPropertyName("previous_secret"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PreviousSecret,
    [property: JsonPropertyName("previous_secret_expires_at"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? PreviousSecretExpiresAt);

public sealed record RotateSecretRequest([property: JsonPropertyName("overlap_seconds")] int? OverlapSeconds = null);

public sealed record WebhookDeliveryResponse(
    [property: JsonPropertyName("webhook_id")] string WebhookId,
    [property: JsonPropertyName("is_enabled")] bool IsEnabled,
    [property: JsonPropertyName("rate_limit")] int? RateLimit,
    [property: JsonPropertyName("failing_since")] DateTimeOffset? FailingSince,
    [property: JsonPropertyName("disabled_reason")] string? DisabledReason,
    [property: JsonPropertyName("disabled_at")] DateTimeOffset? DisabledAt);

public sealed record UpdateDeliveryRequest([property: JsonPropertyName("rate_limit")] int? RateLimit);

public sealed record WebhookMessageResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("webhook_id")] string WebhookId,
    [property: JsonPropertyName("event_type")] string EventType,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("attempts")] int Attempts,
    [property: JsonPropertyName("last_response_status")] int? LastResponseStatus,
    [property: JsonPropertyName("next_attempt_at")] DateTimeOffset? NextAttemptAt,
    [property: JsonPropertyName("payload")] JsonNode? Payload,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt);

public sealed record WebhookAttemptResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("message_id")] string MessageId,
    [property: JsonPropertyName("attempted_at")] DateTimeOffset AttemptedAt,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("response_status")] int? ResponseStatus,
    [property: JsonPropertyName("duration_ms")] int DurationMs,
    [property: JsonPropertyName("response_body")] string? ResponseBody,
    [property: JsonPropertyName("error")] string? Error);

public sealed record RecoverRequest(
    [property: JsonPropertyName("since")] DateTimeOffset Since,
    [property: JsonPropertyName("until")] DateTimeOffset? Until = null);

public sealed record RecoverResponse(
    [property: JsonPropertyName("recovered")] int Recovered,
    [property: JsonPropertyName("has_more")] bool HasMore);

public sealed record WebhookSettingsRequest(
    [property: JsonPropertyName("retry_schedule")] JsonNode? RetrySchedule = null,
    [property: JsonPropertyName("disable_after_seconds")] long? DisableAfterSeconds = null,
    [property: JsonPropertyName("retention_seconds")] long? RetentionSeconds = null);

public sealed record WebhookSettingsResponse(
    [property: JsonPropertyName("retry_schedule")] IReadOnlyList<double> RetrySchedule,
    [property: JsonPropertyName("disable_after_seconds")] long DisableAfterSeconds,
    [property: JsonPropertyName("retention_seconds")] long RetentionSeconds);

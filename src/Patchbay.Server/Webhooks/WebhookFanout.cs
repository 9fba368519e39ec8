using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Patchbay.Configs;
using Patchbay.Connections;
using Patchbay.Data;
using Patchbay.Executions;
using Microsoft.Extensions.Options;
using Patchbay.Http;
using Patchbay.HumanTasks;
using Patchbay.Workers;

namespace Patchbay.Webhooks;

// Refold's connection event payload (refold-api.md §4.2): `createdAt` is an RFC 1123 date string, not ISO 8601.
public sealed record ConnectionEventPayload(
    [property: JsonPropertyName("linked_account_id")] string LinkedAccountId,
    [property: JsonPropertyName("org_id")] string OrgId,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("slug")] string Slug,
    [property: JsonPropertyName("createdAt")] string CreatedAt);

public sealed record WorkflowEventPayload(
    [property: JsonPropertyName("linked_account_id")] string LinkedAccountId,
    [property: JsonPropertyName("instance_id")] string InstanceId,
    [property: JsonPropertyName("workflow_id")] string WorkflowId,
    [property: JsonPropertyName("config_id")] string ConfigId,
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("workflow_name")] string WorkflowName,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("environment")] string Environment);

// Patchbay's config events: the connection events' shape, with the config and (for Workflow Enabled / Disabled) the
// workflow.
public sealed record ConfigEventPayload(
    [property: JsonPropertyName("linked_account_id")] string LinkedAccountId,
    [property: JsonPropertyName("org_id")] string OrgId,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("slug")] string Slug,
    [property: JsonPropertyName("config_id")] string ConfigId,
    [property: JsonPropertyName("workflow_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WorkflowId,
    [property: JsonPropertyName("createdAt")] string CreatedAt);

// Patchbay's human-task events. "Human Task Created" carries the form's id and (with Patchbay:Http:PublicUrl set) its
// page's link: the id is the form's only credential, sent to the org's own endpoint so the workflow's owner can route
// it; it is never logged.
public sealed record HumanTaskEventPayload(
    [property: JsonPropertyName("linked_account_id")] string LinkedAccountId,
    [property: JsonPropertyName("org_id")] string OrgId,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("slug")] string Slug,
    [property: JsonPropertyName("instance_id")] string InstanceId,
    [property: JsonPropertyName("workflow_id")] string WorkflowId,
    [property: JsonPropertyName("node_id")] string NodeId,
    [property: JsonPropertyName("node_name")] string NodeName,
    [property: JsonPropertyName("human_task_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? HumanTaskId,
    [property: JsonPropertyName("url"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Url,
    [property: JsonPropertyName("createdAt")] string CreatedAt);

// Turns one outbox message into a message per matching subscription (its body and headers rendered once, so every
// attempt and replay sends the same bytes). Idempotent: a message already fanned out to a subscription is not
// inserted again.
public sealed class WebhookFanout(string topic, Db db, TimeProvider time, WebhookIds ids, IOptions<HttpOptions> http) : IOutboxHandler
{
    // Refold's connection events carry `"type": "General"`, the only value its documentation shows.
    const string ConnectionEventType = "General";

    public string Topic => topic;

    sealed record Event(string Name, JsonObject Payload, string LinkedAccountId, string Slug, string? WorkflowId, JsonNode? Response);

    public Task HandleAsync(OutboxMessage message, CancellationToken ct) => HandleBatchAsync([message], ct);

    // One transaction for the whole batch: the subscriptions of each environment are read once.
    public async Task HandleBatchAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var events = messages.Select(m => (Message: m, Event: ToEvent(m))).Where(p => p.Event is not null).ToList();
        if (events.Count == 0) return;
        var now = time.GetUtcNow();
        await db.InTransactionAsync(async tx =>
        {
            var subscriptions = new Dictionary<(string, string), IReadOnlyList<WebhookRow>>();
            var rows = new List<WebhookMessageRow>();
            foreach (var (message, e) in events)
            {
                var key = (message.OrgId, message.Environment);
                if (!subscriptions.TryGetValue(key, out var enabled))
                    subscriptions[key] = enabled = await WebhookStore.EnabledAsync(tx, message.OrgId, message.Environment, ct);
                var matching = enabled.Where(w => Matches(w, e!)).ToList();
                if (matching.Count == 0) continue;
                var name = matching.Any(w => UsesName(w.WebhookBody) || UsesName(w.WebhookHeaders))
                    ? await WebhookStore.LinkedAccountNameAsync(tx, message.OrgId, message.Environment, e!.LinkedAccountId, ct)
                    : null;
                var variables = new TemplateVariables(e!.Payload, e.Response, name);
                rows.AddRange(matching.Select(w => new WebhookMessageRow
                {
                    Id = "msg_" + Ids.New(now),
                    WebhookId = w.Id,
                    EventId = message.Id,
                    EventType = e.Name,
                    Body = (WebhookTemplates.Render(WebhookTemplates.Load(w.WebhookBody), variables) ?? new JsonObject()).ToJsonString(),
                    Headers = w.WebhookHeaders is { } h ? RenderHeaders(h, variables) : null,
                    Status = MessageStatuses.Pending,
                    NextAttemptAt = now,
                    CreatedAt = now,
                    UpdatedAt = now,
                }));
            }
            await WebhookStore.InsertMessagesAsync(tx, rows, ct);
        }, ct);
    }

    static bool UsesName(string? template) => template?.Contains("linked_account_name", StringComparison.Ordinal) == true;

    static string RenderHeaders(string stored, TemplateVariables variables)
    {
        var rendered = new JsonObject();
        foreach (var (key, value) in JsonNode.Parse(stored)!.AsObject())
            rendered[key] = WebhookTemplates.RenderText(value?.GetValue<string>() ?? "", variables).ReplaceLineEndings(" ");
        return rendered.ToJsonString();
    }

    // `workflow_ids` and `slug` narrow a subscription to those workflows / that app (an empty list: all of them).
    static bool Matches(WebhookRow w, Event e)
    {
        if (!WebhooksApi.Events(w).Contains(e.Name)) return false;
        if (w.Slug is not null && !string.Equals(w.Slug, e.Slug, StringComparison.Ordinal)) return false;
        if (e.WorkflowId is not null && WebhooksApi.WorkflowIds(w) is { Count: > 0 } ids && !ids.Contains(e.WorkflowId)) return false;
        return true;
    }

    Event? ToEvent(OutboxMessage m)
    {
        switch (m.Topic)
        {
            case ConnectionTopics.Created or ConnectionTopics.Deleted or ConnectionTopics.Expired:
            {
                var c = JsonSerializer.Deserialize<ConnectionChanged>(m.Payload, ApiJson.Options)!;
                var name = m.Topic switch
                {
                    ConnectionTopics.Created => WebhookEvents.ConnectionCreated,
                    ConnectionTopics.Deleted => WebhookEvents.ConnectionDeleted,
                    _ => WebhookEvents.ConnectionExpired,
                };
                var payload = new ConnectionEventPayload(c.LinkedAccountId, m.OrgId, m.Environment, ConnectionEventType, name, c.Slug,
                    c.At.UtcDateTime.ToString("r", CultureInfo.InvariantCulture));
                return new Event(name, (JsonObject)JsonSerializer.SerializeToNode(payload, ApiJson.Options)!, c.LinkedAccountId, c.Slug, null, null);
            }
            case ConfigTopics.Created or ConfigTopics.Updated or ConfigTopics.Deleted or ConfigTopics.WorkflowEnabled or ConfigTopics.WorkflowDisabled:
            {
                var c = JsonSerializer.Deserialize<ConfigEvent>(m.Payload, ApiJson.Options)!;
                var name = m.Topic switch
                {
                    ConfigTopics.Created => WebhookEvents.ConfigCreated,
                    ConfigTopics.Updated => WebhookEvents.ConfigUpdated,
                    ConfigTopics.Deleted => WebhookEvents.ConfigDeleted,
                    ConfigTopics.WorkflowEnabled => WebhookEvents.WorkflowEnabled,
                    _ => WebhookEvents.WorkflowDisabled,
                };
                var payload = new ConfigEventPayload(c.LinkedAccountId, m.OrgId, m.Environment, name, c.Slug, c.ConfigId, c.WorkflowId,
                    c.At.UtcDateTime.ToString("r", CultureInfo.InvariantCulture));
                return new Event(name, (JsonObject)JsonSerializer.SerializeToNode(payload, ApiJson.Options)!, c.LinkedAccountId, c.Slug, c.WorkflowId, null);
            }
            case HumanTaskTopics.Created or HumanTaskTopics.Submitted or HumanTaskTopics.TimedOut:
            {
                var t = JsonSerializer.Deserialize<HumanTaskEvent>(m.Payload, ApiJson.Options)!;
                var name = m.Topic switch
                {
                    HumanTaskTopics.Created => WebhookEvents.HumanTaskCreated,
                    HumanTaskTopics.Submitted => WebhookEvents.HumanTaskSubmitted,
                    _ => WebhookEvents.HumanTaskTimedOut,
                };
                var taskId = t.Reference is { } reference ? ids.Id(reference) : null;
                var url = taskId is not null && http.Value.PublicUrl is { Length: > 0 } publicUrl ? HumanTasksApi.PageUrl(publicUrl.TrimEnd('/'), taskId) : null;
                var payload = new HumanTaskEventPayload(t.LinkedAccountId, m.OrgId, m.Environment, name, t.Slug, t.ExecutionId, t.WorkflowId, t.NodeId,
                    t.NodeName, taskId, url, t.At.UtcDateTime.ToString("r", CultureInfo.InvariantCulture));
                return new Event(name, (JsonObject)JsonSerializer.SerializeToNode(payload, ApiJson.Options)!, t.LinkedAccountId, t.Slug, t.WorkflowId, null);
            }
            case ExecutionTopics.Finished:
            {
                var f = JsonSerializer.Deserialize<ExecutionFinished>(m.Payload, ApiJson.Options)!;
                var name = f.Status switch
                {
                    ExecutionStatus.Completed => WebhookEvents.WorkflowCompleted,
                    ExecutionStatus.Errored => WebhookEvents.WorkflowErrored,
                    ExecutionStatus.Stopped => WebhookEvents.WorkflowStopped,
                    ExecutionStatus.TimedOut => WebhookEvents.WorkflowTimedOut,
                    _ => null, // a DUPLICATE never ran
                };
                if (name is null) return null;
                var payload = new WorkflowEventPayload(f.LinkedAccountId, f.ExecutionId, f.WorkflowId, f.ConfigId, name, f.WorkflowName, f.Status, m.Environment);
                return new Event(name, (JsonObject)JsonSerializer.SerializeToNode(payload, ApiJson.Options)!, f.LinkedAccountId, f.Slug, f.WorkflowId,
                    WebhookTemplates.ParseResponse(f.ReturnValue));
            }
            default:
                return null;
        }
    }
}

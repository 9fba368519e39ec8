using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using Patchbay.Executions;
using Patchbay.Workers;
using Patchbay.Workflows.Engine;

namespace Patchbay.HumanTasks;

// The human_task node: on its first run it creates the task (in the step's checkpoint, see StepEffects) and parks the
// execution until the task's expiry, holding no thread and no lease; a submission or the expiry wakes it. Resumed,
// it reads the task: submitted → its output is the submitted data; expired → the node's "timeout" edges, or an error
// when it has none; still waiting (an early wake) → parks again.
public sealed class HumanTaskNode(HumanTaskStore store, WebhookIds ids, Outbox outbox, TimeProvider time)
{
    public const double DefaultExpirySeconds = 7 * 24 * 3600;

    public async Task<NodeOutcome> RunAsync(StepPlan plan, ExecutionRow execution, StepEffects effects, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(effects);
        var now = time.GetUtcNow();
        if (plan.Resuming is { Ref: { } reference } waiting)
        {
            var hash = HumanTaskIds.Hash(ids.Id(reference));
            var task = await store.ExpireAsync(hash, outbox, now, ct);
            if (task is null) return new NodeOutcome.Failed("the node's human task is gone", Retryable: false);
            return task.Status switch
            {
                HumanTaskStatus.Submitted => new NodeOutcome.Done(JsonNode.Parse(task.SubmittedData ?? "{}"), HumanTaskHandles.Submitted),
                HumanTaskStatus.Timeout when plan.Handles.Contains(HumanTaskHandles.Timeout) =>
                    new NodeOutcome.Done(new JsonObject { ["status"] = HumanTaskStatus.Timeout, ["expired_at"] = JsonValue.Create(task.ExpiresAt) }, HumanTaskHandles.Timeout),
                HumanTaskStatus.Timeout => new NodeOutcome.Failed("nobody submitted the human task's form before it expired", Retryable: false),
                _ => new NodeOutcome.Park(waiting),
            };
        }

        if (Parse(plan.Settings, now) is not { } form) return new NodeOutcome.Failed(ParseError(plan.Settings) ?? "invalid settings", Retryable: false);
        var newReference = WebhookIds.NewReference(WebhookIds.HumanTaskPrefix); // the form's id derives from it
        effects.HumanTask = new HumanTaskRow
        {
            Id = HumanTaskIds.Hash(ids.Id(newReference)), OrgId = execution.OrgId, Environment = execution.Environment, ExecutionId = execution.Id,
            NodeId = plan.Node.Id, Name = form.Name, Description = form.Description, FormStructure = form.Schema.ToJsonString(),
            UiStructure = form.Ui.ToJsonString(), TaskGroup = form.Group, Data = form.Data.ToJsonString(), ReceiverEmails = form.Receivers.ToJsonString(),
            Status = HumanTaskStatus.Waiting, ExpiresAt = form.ExpiresAt, CreatedAt = now, UpdatedAt = now,
        };
        effects.HumanTaskCreated = new HumanTaskEvent(effects.HumanTask.Id, newReference, execution.Id, execution.WorkflowDraftId, execution.AccountId,
            execution.Slug, plan.Node.Id, plan.Node.Name, now);
        return new NodeOutcome.Park(new WaitState(plan.Node.Id, WaitKinds.HumanTask, form.ExpiresAt, newReference));
    }

    sealed record Form(string Name, string Description, JsonObject Schema, JsonObject Ui, string? Group, JsonObject Data, JsonArray Receivers, DateTimeOffset ExpiresAt);

    static Form? Parse(JsonObject s, DateTimeOffset now)
    {
        if (ParseError(s) is not null) return null;
        var seconds = ExpirySeconds(s["expire_in"])!.Value;
        return new Form(Text(s["name"])!, Text(s["description"]) ?? "", (JsonObject)s["form_structure"]!.DeepClone(),
            s["ui_structure"] is JsonObject ui ? (JsonObject)ui.DeepClone() : [], Text(s["group"]),
            s["data"] is JsonObject data ? (JsonObject)data.DeepClone() : [],
            s["receiver_emails"] is JsonArray to ? (JsonArray)to.DeepClone() : [], now.AddSeconds(seconds));
    }

    static string? ParseError(JsonObject s)
    {
        if (Text(s["name"]) is not { Length: > 0 }) return "'name' must be a non-empty string";
        if (s["description"] is { } d && Text(d) is null) return "'description' must be a string";
        if (s["form_structure"] is not JsonObject) return "'form_structure' must be a JSON Schema object";
        if (s["ui_structure"] is { } ui && ui is not JsonObject) return "'ui_structure' must be an object";
        if (s["data"] is { } data && data is not JsonObject) return $"'data' must be an object ({ValueTemplates.Describe(data)})";
        if (s["group"] is { } g && Text(g) is null) return "'group' must be a string";
        if (s["receiver_emails"] is { } to && (to is not JsonArray list || list.Any(e => Text(e) is not { } address || !address.Contains('@', StringComparison.Ordinal))))
            return "'receiver_emails' must be an array of email addresses";
        if (ExpirySeconds(s["expire_in"]) is null)
            return $"'expire_in' must be a duration: seconds (a number), or ISO 8601 such as \"PT24H\" or \"P3D\", up to a year ({ValueTemplates.Describe(s["expire_in"])})";
        return null;
    }

    // Seconds until the task expires: a number of seconds, or an ISO 8601 duration; absent means a week.
    static double? ExpirySeconds(JsonNode? value)
    {
        var seconds = value switch
        {
            null => DefaultExpirySeconds,
            _ when value.GetValueKind() == JsonValueKind.Number => value.GetValue<double>(),
            _ when Text(value) is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) => n,
            _ when Text(value) is { } iso && iso.StartsWith('P') => Iso(iso),
            _ => -1,
        };
        return seconds is > 0 and <= WorkflowDefinition.MaxWaitSeconds ? seconds : null;
    }

    static double Iso(string duration)
    {
        try { return XmlConvert.ToTimeSpan(duration).TotalSeconds; }
        catch (FormatException) { return -1; }
        catch (OverflowException) { return -1; }
    }

    static string? Text(JsonNode? node) => WorkflowDefinition.Text(node);
}

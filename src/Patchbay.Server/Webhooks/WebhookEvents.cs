namespace Patchbay.Webhooks;

// The events a subscription can listen to (refold-api.md §4.1), as Refold names them in `webhook_events`.
public static class WebhookEvents
{
    public const string ConnectionCreated = "Connection Created";
    public const string ConnectionDeleted = "Connection Deleted";
    public const string ConnectionExpired = "Connection Expired";
    public const string WorkflowCompleted = "Workflow Completed";
    public const string WorkflowErrored = "Workflow Errored";
    public const string WorkflowStopped = "Workflow Stopped";
    public const string WorkflowTimedOut = "Workflow Timed Out";

    // Patchbay's events (Refold has none for configs): a customer installed, changed or removed an app's config, or
    // turned a workflow on or off in it.
    public const string ConfigCreated = "Config Created";
    public const string ConfigUpdated = "Config Updated";
    public const string ConfigDeleted = "Config Deleted";
    public const string WorkflowEnabled = "Workflow Enabled";
    public const string WorkflowDisabled = "Workflow Disabled";

    // Patchbay's human-task events: a workflow's human_task node created a form, someone submitted it, or it expired.
    public const string HumanTaskCreated = "Human Task Created";
    public const string HumanTaskSubmitted = "Human Task Submitted";
    public const string HumanTaskTimedOut = "Human Task Timed Out";

    public static readonly IReadOnlyList<string> All =
        [ConnectionCreated, ConnectionDeleted, ConnectionExpired, WorkflowCompleted, WorkflowErrored, WorkflowStopped, WorkflowTimedOut,
         ConfigCreated, ConfigUpdated, ConfigDeleted, WorkflowEnabled, WorkflowDisabled, HumanTaskCreated, HumanTaskSubmitted, HumanTaskTimedOut];

    // The events a `slug` subscription may listen to: Refold's workflow events, and Patchbay's config events (a
    // config belongs to one app) and human-task events (matched on their execution's app).
    public static readonly IReadOnlySet<string> PerApp = new HashSet<string>(StringComparer.Ordinal)
    {
        WorkflowCompleted, WorkflowErrored, WorkflowStopped, WorkflowTimedOut, ConfigCreated, ConfigUpdated, ConfigDeleted, WorkflowEnabled, WorkflowDisabled,
        HumanTaskCreated, HumanTaskSubmitted, HumanTaskTimedOut,
    };

    // The deprecated subscribe API's kebab-case ids (`workflow-errored`) name the same events.
    static readonly Dictionary<string, string> ByName = All
        .SelectMany(e => new[] { (e, e), (e.ToLowerInvariant().Replace(' ', '-'), e) })
        .ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);

    // The event's canonical name, or null when it is not one.
    public static string? Normalize(string? name) => name is null ? null : ByName.GetValueOrDefault(name);
}

// `webhook_type`: computed from the body template when a subscription is read.
public static class WebhookTypes
{
    public const string Default = "default";
    public const string Slack = "slack";
    public const string Custom = "custom";

    public static readonly IReadOnlyList<string> All = [Default, Slack, Custom];
}

public static class WebhookMethods
{
    public const string Post = "POST";
    public const string Put = "PUT";
    public const string Patch = "PATCH";

    public static readonly IReadOnlyList<string> All = [Post, Put, Patch];
}

// A message's state: waiting for its next attempt, delivered, or given up on (attempts exhausted, 410, disabled).
public static class MessageStatuses
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Pending, Delivered, Failed];
}

public static class AttemptStatuses
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    // Not sent: the subscription was disabled before the attempt.
    public const string Skipped = "skipped";
}

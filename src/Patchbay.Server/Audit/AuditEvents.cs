namespace Patchbay.Audit;

// The audit log's event names: Refold's own (§3.20), one definition each.
public static class AuditEvents
{
    public const string LinkedAccountCreated = "Linked Account Created";
    public const string LinkedAccountUpdated = "Linked Account Updated";
    public const string LinkedAccountDeleted = "Linked Account Deleted";

    public const string ConnectionCreated = "Connection Created";
    public const string ConnectionExpired = "Connection Expired";
    public const string ConnectionDisconnected = "Connection Disconnected";
    public const string ConnectionErrored = "Connection Errored";

    public const string WebhookCreated = "Webhook Created";
    public const string WebhookUpdated = "Webhook Updated";
    public const string WebhookDeleted = "Webhook Deleted";

    public const string ConfigCreated = "Config Created";
    public const string ConfigUpdated = "Config Updated";
    public const string ConfigDeleted = "Config Deleted";

    public const string WorkflowCreated = "Workflow Created";
    public const string WorkflowDeleted = "Workflow Deleted";
    public const string WorkflowPublished = "Workflow Published";
    public const string WorkflowUnpublished = "Workflow Unpublished";
    public const string WorkflowEnabled = "Workflow Enabled";
    public const string WorkflowDisabled = "Workflow Disabled";
    public const string WorkflowSettingsUpdated = "Workflow Settings Updated";
    public const string DraftWorkflowUpdated = "Draft Workflow Updated";

    public const string ScheduleCreated = "Schedule Created";
    public const string ScheduleDeleted = "Schedule Deleted";

    public const string TableCreated = "Table Created";
    public const string TableDeleted = "Table Deleted";
    public const string TableColumnsAdded = "Table Columns Added";
    public const string TableColumnsRemoved = "Table Columns Removed";
    public const string TableColumnsRenamed = "Table Columns Renamed";

    public const string EnvironmentVariableCreated = "Environment Variable Created";
    public const string EnvironmentVariableUpdated = "Environment Variable Updated";
    public const string EnvironmentVariableDeleted = "Environment Variable Deleted";
    public const string VariableValueSet = "Variable Value Set";
    public const string VariableValueUpdated = "Variable Value Updated";
    public const string VariableValueDeleted = "Variable Value Deleted";

    public const string ApiKeyRegenerated = "API Key Regenerated";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        LinkedAccountCreated, LinkedAccountUpdated, LinkedAccountDeleted,
        ConnectionCreated, ConnectionExpired, ConnectionDisconnected, ConnectionErrored,
        WebhookCreated, WebhookUpdated, WebhookDeleted,
        ConfigCreated, ConfigUpdated, ConfigDeleted,
        WorkflowCreated, WorkflowDeleted, WorkflowPublished, WorkflowUnpublished, WorkflowEnabled, WorkflowDisabled, WorkflowSettingsUpdated, DraftWorkflowUpdated,
        ScheduleCreated, ScheduleDeleted,
        TableCreated, TableDeleted, TableColumnsAdded, TableColumnsRemoved, TableColumnsRenamed,
        EnvironmentVariableCreated, EnvironmentVariableUpdated, EnvironmentVariableDeleted,
        VariableValueSet, VariableValueUpdated, VariableValueDeleted,
        ApiKeyRegenerated,
    };
}

// What an entry is about (its `resource_type`).
public static class AuditResources
{
    public const string LinkedAccount = "linked_account";
    public const string Connection = "connection";
    public const string Webhook = "webhook";
    public const string Config = "config";
    public const string Workflow = "workflow";
    public const string Schedule = "schedule";
    public const string Table = "table";
    public const string EnvironmentVariable = "environment_variable";
    public const string ApiKey = "api_key";
}

// Who made the change (its `actor.type`).
public static class AuditActorTypes
{
    public const string ApiKey = "api_key";
    public const string Session = "session_token";
    public const string Admin = "admin";
    public const string Cli = "cli";
    public const string System = "system";
}

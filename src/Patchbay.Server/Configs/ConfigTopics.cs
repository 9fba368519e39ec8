namespace Patchbay.Configs;

// What configs announce through the outbox, in the transaction of the change (for webhooks and the audit log).
public static class ConfigTopics
{
    public const string Created = "config.created";
    public const string Updated = "config.updated";
    public const string Deleted = "config.deleted";
    public const string WorkflowEnabled = "config.workflow.enabled";
    public const string WorkflowDisabled = "config.workflow.disabled";
}

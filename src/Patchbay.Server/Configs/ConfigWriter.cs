using Patchbay.Audit;
using Patchbay.Apps;
using Patchbay.Connections;
using Patchbay.Data;
using Patchbay.Http;
using Patchbay.LinkedAccounts;
using Patchbay.Orgs;
using Patchbay.Workers;
using Patchbay.Workflows;

namespace Patchbay.Configs;

// The changes configs make, each inside the caller's unit of work: values checked against their fields before any is
// written (a bad one changes nothing), password values sealed by the vault bound to their row, and every change
// announced through the outbox in the same transaction.
public sealed class ConfigWriter(Vault.Vault vault, Outbox outbox, OrgAppStore orgApps, OrgStore orgs, AppCatalog catalog)
{
    public static ApiError ConfigNotFound(string configId) => ApiError.NotFound(ErrorCodes.ServerError, $"Config with config id {configId} not found");

    public static ApiError FieldNotFound(string fieldId) => ApiError.BadRequest(ErrorCodes.ServerError, $"Field with id {fieldId} not found");

    // An app a config can be made for: an enabled catalog app, the org's own app, or `custom` (workflows of no app).
    public async Task<ApiError?> CheckAppAsync(string orgId, string environment, string slug, CancellationToken ct)
    {
        if (slug == WorkflowInput.CustomSlug || await orgApps.FindEnabledAsync(orgId, environment, slug, ct) is not null) return null;
        if ((await orgs.DefaultAppAsync(orgId, ct))?.Slug == slug) return null;
        return ApiError.NotFound(ErrorCodes.InvalidAppId, $"Application with app_type '{slug}' not found for org {orgId}");
    }

    public static string SealContext(string configRowId, string scope, string fieldId) =>
        Vault.Vault.Context("config_values", configRowId, scope, fieldId);

    // Checks every change against its field, then writes them.
    public async Task ApplyValuesAsync(DbTx tx, ConfigModel model, string configRowId, string scope, IReadOnlyList<ValueChange> changes,
        DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(changes);
        var fields = model.FieldsOf(scope);
        var checkedValues = new List<(FieldDefinition Field, System.Text.Json.Nodes.JsonNode? Value)>(changes.Count);
        foreach (var change in changes)
        {
            var field = fields.FirstOrDefault(f => f.Id == change.FieldId) ?? throw new ApiException(FieldNotFound(change.FieldId));
            checkedValues.Add((field, Check(model, field, change.Value)));
        }
        foreach (var (field, value) in checkedValues)
            await WriteAsync(tx, configRowId, scope, field, value, now, ct);
    }

    // The value's stored form, or a 400 naming the field. Null clears; a password's "[REDACTED]" keeps the secret.
    public static System.Text.Json.Nodes.JsonNode? Check(ConfigModel model, FieldDefinition field, System.Text.Json.Nodes.JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(field);
        if (value is null || (value.GetValueKind() == System.Text.Json.JsonValueKind.String && value.GetValue<string>().Length == 0 && field.FieldType != FieldTypes.Json))
        {
            if (field.Required) throw FieldValues.Invalid(field, "is required");
            return null;
        }
        var error = FieldValues.Check(field, value, model.LabelsFor(field), out var normalized);
        if (error is not null) throw FieldValues.Invalid(field, error);
        return normalized;
    }

    // Writes (or clears) one value; the row as stored, or null when cleared or left as it was ("[REDACTED]").
    public async Task<ConfigValueRow?> WriteAsync(DbTx tx, string configRowId, string scope, FieldDefinition field, System.Text.Json.Nodes.JsonNode? value,
        DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (value is null)
        {
            await ConfigStore.ClearValueAsync(tx, configRowId, scope, field.Id, ct);
            return null;
        }
        if (field.IsSecret)
        {
            var plain = value.GetValue<string>();
            if (plain == FieldValues.Redacted) return null;
            var sealedValue = vault.Seal(plain, SealContext(configRowId, scope, field.Id));
            await ConfigStore.SetValueAsync(tx, configRowId, scope, field.Id, null, sealedValue, now, ct);
            return new ConfigValueRow(scope, field.Id, null, sealedValue);
        }
        var text = value.ToJsonString();
        await ConfigStore.SetValueAsync(tx, configRowId, scope, field.Id, text, null, now, ct);
        return new ConfigValueRow(scope, field.Id, text, null);
    }

    // The change's outbox message and its audit entry (the config's id and app; never a field's value).
    public async Task AnnounceAsync(DbTx tx, string topic, LinkedAccountRow account, string slug, string configId, DateTimeOffset now, CancellationToken ct,
        string? workflowId = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        var (auditEvent, resource, resourceId) = topic switch
        {
            ConfigTopics.Created => (AuditEvents.ConfigCreated, AuditResources.Config, configId),
            ConfigTopics.Deleted => (AuditEvents.ConfigDeleted, AuditResources.Config, configId),
            ConfigTopics.WorkflowEnabled => (AuditEvents.WorkflowEnabled, AuditResources.Workflow, workflowId),
            ConfigTopics.WorkflowDisabled => (AuditEvents.WorkflowDisabled, AuditResources.Workflow, workflowId),
            _ => (AuditEvents.ConfigUpdated, AuditResources.Config, configId),
        };
        await AuditLog.RecordAsync(tx, new(account.OrgId, account.Environment, auditEvent, resource, resourceId, account.AccountId,
            new { ConfigId = configId, Slug = slug, WorkflowId = workflowId }), now, ct);
        await outbox.EnqueueAsync(tx, OutboxMessage.Of(topic, account.OrgId, account.Environment,
            new ConfigEvent(account.AccountId, slug, configId, now, workflowId)), now, ct);
    }

    // Turning a workflow on needs the app connected (an active connection of the account; CF8's 400 "app not authed"):
    // a workflow of a catalog app cannot run without one. Turning off, keeping on, and apps without credentials
    // (`custom`, the org's own app) are never refused.
    public async Task<ApiError?> CheckCanEnableAsync(DbTx tx, ConfigModel model, LinkedAccountRow account, string workflowId, bool enabled, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(account);
        var config = model.Config ?? throw new InvalidOperationException("No config to enable a workflow in.");
        if (!enabled || model.IsEnabled(workflowId) || catalog.Find(config.Slug) is not { } app) return null;
        if (await ConnectionStore.HasActiveAsync(tx, account.Id, config.Slug, ct)) return null;
        return AppNotConnected(app.Name, config.Slug, account.AccountId);
    }

    public static ApiError AppNotConnected(string appName, string slug, string accountId) => ApiError.BadRequest(ErrorCodes.ServerError,
        $"Application {appName} ('{slug}') is not connected for linked account {accountId}: connect it before enabling its workflows");

    public async Task SetEnabledAsync(DbTx tx, ConfigModel model, LinkedAccountRow account, string workflowId, bool enabled, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(model);
        var config = model.Config ?? throw new InvalidOperationException("No config to enable a workflow in.");
        await ConfigStore.SetEnabledAsync(tx, config.Id, workflowId, enabled, now, ct);
        if (model.IsEnabled(workflowId) != enabled)
            await AnnounceAsync(tx, enabled ? ConfigTopics.WorkflowEnabled : ConfigTopics.WorkflowDisabled, account, config.Slug, config.ConfigId, now, ct, workflowId);
    }
}

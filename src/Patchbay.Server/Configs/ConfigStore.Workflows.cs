using Patchbay.Workflows;

namespace Patchbay.Configs;

// Which workflows configs enable: for events, for execute and schedules, and for WF10.
public sealed partial class ConfigStore
{
    static readonly string VersionColumns = string.Join(", ", WorkflowStore.Columns.Split(',').Select(c => "v." + c.Trim()));

    const string EnabledIn = """
        exists (select 1 from config_workflows f join configs c on c.id = f.config_row_id
                where c.linked_account_row_id = @accountRowId and c.slug = v.slug and c.config_id = @configId
                  and f.workflow_id = v.draft_id and f.enabled = @yes)
        """;

    // The live versions an event starts for an account: its private workflows, and the public ones enabled in the
    // chosen config of their app.
    public Task<IReadOnlyList<WorkflowRow>> EventWorkflowsAsync(string orgId, string environment, string accountRowId, string configId, string eventName,
        string? slug, CancellationToken ct) =>
        db.QueryAsync<WorkflowRow>($"""
            select {VersionColumns} from workflows v
            where v.org_id = @orgId and v.environment = @environment and v.draft_id is not null and v.published = @yes and v.trigger_event = @eventName
              {(slug is null ? "" : "and v.slug = @slug")}
              and (v.linked_account_row_id = @accountRowId or (v.linked_account_row_id is null and {EnabledIn}))
            """, new { orgId, environment, accountRowId, configId, eventName, slug, yes = true }, ct);

    public Task<bool> IsEnabledAsync(string accountRowId, string slug, string configId, string workflowDraftId, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<bool>("""
            select exists (select 1 from config_workflows f join configs c on c.id = f.config_row_id
                           where c.linked_account_row_id = @accountRowId and c.slug = @slug and c.config_id = @configId
                             and f.workflow_id = @workflowDraftId and f.enabled = @yes)
            """, new { accountRowId, slug, configId, workflowDraftId, yes = true }, ct);

    public Task<IReadOnlyList<(string WorkflowId, string ConfigId)>> EnabledForAccountAsync(string accountRowId, CancellationToken ct) =>
        db.QueryAsync<(string, string)>("""
            select f.workflow_id, c.config_id from config_workflows f join configs c on c.id = f.config_row_id
            where c.linked_account_row_id = @accountRowId and f.enabled = @yes order by c.created_at, f.workflow_id
            """, new { accountRowId, yes = true }, ct);
}

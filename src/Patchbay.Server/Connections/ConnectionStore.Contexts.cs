namespace Patchbay.Connections;

public sealed partial class ConnectionStore
{
    // The connections of one linked account (named as its org's API knows it) to one app, with what using them needs,
    // newest first: one statement for every action run (Actions/ActionRunner).
    public Task<IReadOnlyList<ConnectionContext>> ContextsAsync(string orgId, string environment, string accountId, string slug, CancellationToken ct) =>
        db.QueryAsync<ConnectionContext>($"""
            select {ContextColumns} from connections c join integrations i on i.id = c.integration_id
            join linked_accounts la on la.id = i.linked_account_id
            where la.org_id = @orgId and la.environment = @environment and la.account_id = @accountId and i.app_key = @slug
            order by c.connected_at desc
            """, new { orgId, environment, accountId, slug }, ct);
}

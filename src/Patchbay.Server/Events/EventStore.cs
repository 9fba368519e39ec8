using System.Data.Common;
using Patchbay.Data;

namespace Patchbay.Events;

public sealed class EventStore(Db db)
{
    const string Columns = "id, org_id, environment, name, response, fields, json_schema, created_at, updated_at";

    public Task<IReadOnlyList<EventRow>> ListAsync(string orgId, string environment, CancellationToken ct) =>
        db.QueryAsync<EventRow>($"""
            select {Columns} from workflow_events where org_id = @orgId and environment = @environment order by created_at, id
            """, new { orgId, environment }, ct);

    public Task<EventRow?> FindAsync(string orgId, string environment, string id, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<EventRow>($"""
            select {Columns} from workflow_events where id = @id and org_id = @orgId and environment = @environment
            """, new { id, orgId, environment }, ct);

    public async Task<bool> ExistsAsync(string orgId, string environment, string name, CancellationToken ct) =>
        await db.QueryFirstOrDefaultAsync<bool>("""
            select exists (select 1 from workflow_events where org_id = @orgId and environment = @environment and name = @name)
            """, new { orgId, environment, name }, ct);

    // False when the org already has an event of that name in the environment.
    public async Task<bool> TryInsertAsync(EventRow row, CancellationToken ct)
    {
        try
        {
            await db.ExecuteAsync($"""
                insert into workflow_events ({Columns})
                values (@Id, @OrgId, @Environment, @Name, @Response, @Fields, @JsonSchema, @CreatedAt, @UpdatedAt)
                """, row, ct);
            return true;
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return false;
        }
    }

    // False when another event of the org already has the new name.
    public async Task<bool> TryUpdateAsync(EventRow row, CancellationToken ct)
    {
        try
        {
            await db.ExecuteAsync("""
                update workflow_events set name = @Name, response = @Response, fields = @Fields, json_schema = @JsonSchema, updated_at = @UpdatedAt
                where id = @Id
                """, row, ct);
            return true;
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return false;
        }
    }

    public Task<int> DeleteAsync(string id, CancellationToken ct) =>
        db.ExecuteAsync("delete from workflow_events where id = @id", new { id }, ct);
}

using Patchbay.Data;

namespace Patchbay.Configs;

// App-level field definitions (per org, environment and app), in the order their developers gave them.
public sealed partial class ConfigStore
{
    public Task<IReadOnlyList<FieldDefinitionRow>> DefinitionsAsync(string orgId, string environment, string slug, CancellationToken ct) =>
        db.QueryAsync<FieldDefinitionRow>(DefinitionsSql, new { orgId, environment, slug }, ct);

    public static Task<IReadOnlyList<FieldDefinitionRow>> DefinitionsAsync(DbTx tx, string orgId, string environment, string slug, CancellationToken ct) =>
        tx.QueryAsync<FieldDefinitionRow>(DefinitionsSql, new { orgId, environment, slug }, ct);

    public static async Task InsertDefinitionAsync(DbTx tx, string orgId, string environment, string slug, FieldDefinition field, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(field);
        var position = await tx.QueryFirstOrDefaultAsync<int>("""
            select coalesce(max(position), 0) + 1 from config_field_definitions where org_id = @orgId and environment = @environment and slug = @slug
            """, new { orgId, environment, slug }, ct);
        await tx.ExecuteAsync("""
            insert into config_field_definitions (id, org_id, environment, slug, position, definition, created_at, updated_at)
            values (@id, @orgId, @environment, @slug, @position, @definition, @now, @now)
            """, new { id = field.Id, orgId, environment, slug, position, definition = field.Serialize(), now }, ct);
    }

    public static Task<int> UpdateDefinitionAsync(DbTx tx, string orgId, string environment, string slug, FieldDefinition field, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(field);
        return tx.ExecuteAsync("""
            update config_field_definitions set definition = @definition, updated_at = @now
            where id = @id and org_id = @orgId and environment = @environment and slug = @slug
            """, new { id = field.Id, orgId, environment, slug, definition = field.Serialize(), now }, ct);
    }

    // The field's stored values go with it (in every config of the app).
    public static async Task<int> DeleteDefinitionAsync(DbTx tx, string orgId, string environment, string slug, string id, CancellationToken ct)
    {
        await tx.ExecuteAsync("""
            delete from config_values where workflow_id = '' and field_id = @id
              and config_row_id in (select c.id from configs c where c.org_id = @orgId and c.environment = @environment and c.slug = @slug)
            """, new { orgId, environment, slug, id }, ct);
        return await tx.ExecuteAsync("delete from config_field_definitions where id = @id and org_id = @orgId and environment = @environment and slug = @slug",
            new { orgId, environment, slug, id }, ct);
    }
}

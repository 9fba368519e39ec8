using Patchbay.Data;

namespace Patchbay.Mcp;

// All SQL of MCP servers. Every read is scoped to the owning linked account (its row id).
public sealed class McpServerStore(Db db)
{
    const string Columns = """
        s.id, s.org_id, s.environment, s.linked_account_row_id, s.name, s.description, s.agent_name, s.primary_color, s.secondary_color,
        s.base_prompt, s.safe_mode, s.enabled, s.associated_apps, s.suggestions, s.chains, s.created_at, s.updated_at, la.account_id
        """;

    const string From = "from mcp_servers s join linked_accounts la on la.id = s.linked_account_row_id";

    public Task<(IReadOnlyList<McpServerRow> Rows, long Total)> ListAsync(string accountRowId, int offset, int limit, CancellationToken ct) =>
        db.WithConnectionAsync(async c =>
        {
            var total = await c.ExecuteScalarAsync<long>("select count(*) from mcp_servers where linked_account_row_id = @accountRowId", new { accountRowId }, ct);
            var rows = await c.QueryAsync<McpServerRow>($"""
                select {Columns} {From} where s.linked_account_row_id = @accountRowId
                order by s.created_at desc, s.id desc limit @limit offset @offset
                """, new { accountRowId, offset, limit }, ct);
            return (rows, total);
        }, ct);

    public static Task<McpServerRow?> FindAsync(DbTx tx, string accountRowId, string id, CancellationToken ct) =>
        tx.QueryFirstOrDefaultAsync<McpServerRow>($"select {Columns} {From} where s.id = @id and s.linked_account_row_id = @accountRowId",
            new { id, accountRowId }, ct);

    // By id alone, for the MCP endpoint (which then checks the caller's account against the server's).
    public Task<McpServerRow?> GetAsync(string id, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<McpServerRow>($"select {Columns} {From} where s.id = @id", new { id }, ct);

    public static Task<bool> NameTakenAsync(DbTx tx, string accountRowId, string name, string? exceptId, CancellationToken ct) =>
        tx.ExecuteScalarAsync<bool>("""
            select exists(select 1 from mcp_servers where linked_account_row_id = @accountRowId and name = @name and id <> coalesce(@exceptId, ''))
            """, new { accountRowId, name, exceptId }, ct);

    public static Task InsertAsync(DbTx tx, McpServerRow row, CancellationToken ct) =>
        tx.ExecuteAsync("""
            insert into mcp_servers (id, org_id, environment, linked_account_row_id, name, description, agent_name, primary_color, secondary_color,
                                     base_prompt, safe_mode, enabled, associated_apps, suggestions, chains, created_at, updated_at)
            values (@Id, @OrgId, @Environment, @LinkedAccountRowId, @Name, @Description, @AgentName, @PrimaryColor, @SecondaryColor,
                    @BasePrompt, @SafeMode, @Enabled, @AssociatedApps, @Suggestions, @Chains, @CreatedAt, @UpdatedAt)
            """, row, ct);

    public static Task UpdateAsync(DbTx tx, McpServerRow row, CancellationToken ct) =>
        tx.ExecuteAsync("""
            update mcp_servers set name = @Name, description = @Description, agent_name = @AgentName, primary_color = @PrimaryColor,
                secondary_color = @SecondaryColor, base_prompt = @BasePrompt, safe_mode = @SafeMode, enabled = @Enabled,
                associated_apps = @AssociatedApps, suggestions = @Suggestions, chains = @Chains, updated_at = @UpdatedAt
            where id = @Id
            """, row, ct);

    // Its tokens and held calls go with it (foreign-key cascade); the tool-call log stays.
    public static Task<int> DeleteAsync(DbTx tx, string accountRowId, string id, CancellationToken ct) =>
        tx.ExecuteAsync("delete from mcp_servers where id = @id and linked_account_row_id = @accountRowId", new { id, accountRowId }, ct);
}

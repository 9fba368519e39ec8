using Patchbay.Data;

namespace Patchbay.Mcp;

public sealed record McpTokenRow
{
    public required string Id { get; init; }
    public required string ServerId { get; init; }
    public required string TokenHash { get; init; }
    public required string Hint { get; init; }
    public string? Name { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

// A token presented at the MCP endpoint, with what it opens.
public sealed record McpTokenGrant
{
    public required string ServerId { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
}

// All SQL of dedicated MCP tokens. Tokens are looked up by their keyed hash on every request (no cache: a revoked
// token is refused at once, by every node).
public sealed class McpTokenStore(Db db)
{
    const string Columns = "id, server_id, token_hash, hint, name, expires_at, revoked_at, created_at";

    public static Task InsertAsync(DbTx tx, McpTokenRow row, CancellationToken ct) =>
        tx.ExecuteAsync($"insert into mcp_tokens ({Columns}) values (@Id, @ServerId, @TokenHash, @Hint, @Name, @ExpiresAt, @RevokedAt, @CreatedAt)", row, ct);

    public static Task<IReadOnlyList<McpTokenRow>> ListAsync(DbTx tx, string serverId, CancellationToken ct) =>
        tx.QueryAsync<McpTokenRow>($"select {Columns} from mcp_tokens where server_id = @serverId order by created_at desc, id desc", new { serverId }, ct);

    public static Task<int> RevokeAsync(DbTx tx, string serverId, string id, DateTimeOffset now, CancellationToken ct) =>
        tx.ExecuteAsync("update mcp_tokens set revoked_at = coalesce(revoked_at, @now) where id = @id and server_id = @serverId",
            new { id, serverId, now }, ct);

    public Task<McpTokenGrant?> FindAsync(string tokenHash, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<McpTokenGrant>("select server_id, expires_at, revoked_at from mcp_tokens where token_hash = @tokenHash",
            new { tokenHash }, ct);
}

using System.Text.Json;
using Patchbay.Data;

namespace Patchbay.OAuth;

public sealed record OAuthClientRow
{
    public required string OrgId { get; init; }
    public required string Environment { get; init; }
    public required string Slug { get; init; }
    public required string ClientId { get; init; }
    public string? SealedClientSecret { get; init; }
    public string? Scopes { get; init; } // JSON string[] overriding the manifest's
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public IReadOnlyList<string>? ScopeList => Scopes is null ? null : JsonSerializer.Deserialize<List<string>>(Scopes);
}

public sealed record OAuthClient(string ClientId, string? ClientSecret, IReadOnlyList<string>? Scopes);

// Each org registers its own OAuth application with a provider (client id and secret), per environment. The
// secret is sealed; it leaves this class only to go to the provider's token endpoint.
public sealed class OAuthClientStore(Db db, Vault.Vault vault)
{
    const string Columns = "org_id, environment, slug, client_id, sealed_client_secret, scopes, created_at, updated_at";

    static string Context(string orgId, string environment, string slug) => Vault.Vault.Context("oauth_clients", orgId, environment, slug);

    public async Task<OAuthClient?> FindAsync(string orgId, string environment, string slug, CancellationToken ct)
    {
        var row = await db.QueryFirstOrDefaultAsync<OAuthClientRow>(
            $"select {Columns} from oauth_clients where org_id = @orgId and environment = @environment and slug = @slug",
            new { orgId, environment, slug }, ct);
        if (row is null) return null;
        var secret = row.SealedClientSecret is null ? null
            : (await vault.OpenAsync(row.SealedClientSecret, Context(orgId, environment, slug), ct)).Value;
        return new OAuthClient(row.ClientId, secret, row.ScopeList);
    }

    public Task<IReadOnlyList<OAuthClientRow>> ListAsync(string orgId, CancellationToken ct) =>
        db.QueryAsync<OAuthClientRow>($"select {Columns} from oauth_clients where org_id = @orgId order by slug, environment", new { orgId }, ct);

    public Task SaveAsync(string orgId, string environment, string slug, string clientId, string? clientSecret, IReadOnlyList<string>? scopes,
        DateTimeOffset now, CancellationToken ct) =>
        db.ExecuteAsync($"""
            insert into oauth_clients ({Columns})
            values (@orgId, @environment, @slug, @clientId, @sealedSecret, @scopes, @now, @now)
            on conflict (org_id, environment, slug) do update set
                client_id = excluded.client_id, sealed_client_secret = excluded.sealed_client_secret,
                scopes = excluded.scopes, updated_at = excluded.updated_at
            """, new
        {
            orgId, environment, slug, clientId, now,
            sealedSecret = clientSecret is null ? null : vault.Seal(clientSecret, Context(orgId, environment, slug)),
            scopes = scopes is null ? null : JsonSerializer.Serialize(scopes),
        }, ct);

    public async Task<bool> DeleteAsync(string orgId, string environment, string slug, CancellationToken ct) =>
        await db.ExecuteAsync("delete from oauth_clients where org_id = @orgId and environment = @environment and slug = @slug",
            new { orgId, environment, slug }, ct) > 0;
}

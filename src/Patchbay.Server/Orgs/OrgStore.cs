using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Http;

namespace Patchbay.Orgs;

public sealed class OrgStore(Db db, ApiKeyStore keys, ApiKeyHasher hasher, ApiKeyCache keyCache, Vault.Vault vault)
{
    const string OrgColumns = "id, name, created_at, updated_at";
    const string AppColumns = "id, org_id, slug, name, description, icon, is_default, auth_fields, created_at, updated_at";

    public sealed record CreatedOrg(OrgRow Org, CustomAppRow DefaultApp, IReadOnlyDictionary<string, string> GeneratedKeys);

    // Creates an org with its default custom app and one API key per environment. Keys given in `knownKeys`
    // (bootstrap configuration) are registered as they are; the others are generated and returned once.
    public async Task<CreatedOrg> CreateAsync(DbTx tx, string name, IReadOnlyDictionary<string, string> knownKeys, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(knownKeys);
        var org = new OrgRow { Id = Ids.New(now), Name = name, CreatedAt = now, UpdatedAt = now };
        await tx.ExecuteAsync("insert into orgs (id, name, created_at, updated_at) values (@Id, @Name, @CreatedAt, @UpdatedAt)", org, ct);

        var app = new CustomAppRow
        {
            Id = Ids.New(now), OrgId = org.Id, Slug = Slugs.From(name), Name = name, IsDefault = true, CreatedAt = now, UpdatedAt = now,
        };
        await tx.ExecuteAsync($"""
            insert into custom_apps ({AppColumns})
            values (@Id, @OrgId, @Slug, @Name, @Description, @Icon, @IsDefault, @AuthFields, @CreatedAt, @UpdatedAt)
            """, app, ct);

        var generated = new Dictionary<string, string>();
        foreach (var environment in (string[])[OrgEnvironments.Test, OrgEnvironments.Production])
        {
            var known = knownKeys.GetValueOrDefault(environment);
            var key = known ?? ApiKeyHasher.Generate(environment);
            await keys.InsertAsync(tx, NewKeyRow(org.Id, environment, key, known is null ? "generated" : "bootstrap", now), ct);
            if (known is null) generated[environment] = key;
        }
        return new CreatedOrg(org, app, generated);
    }

    // The key is stored as its hash (for authentication) and sealed by the vault (outbound webhooks sign with it).
    public ApiKeyRow NewKeyRow(string orgId, string environment, string apiKey, string source, DateTimeOffset now)
    {
        var id = Ids.New(now);
        return new()
        {
            Id = id,
            OrgId = orgId,
            Environment = environment,
            KeyHash = hasher.Hash(apiKey),
            KeyHint = ApiKeyHasher.Hint(apiKey),
            Source = source,
            SealedKey = vault.Seal(apiKey, ApiKeyStore.SealContext(id)),
            CreatedAt = now,
        };
    }

    // Replaces an environment's API key. The old key stops working at once on this node and, through AuthSync,
    // on every other node.
    public async Task<string> RegenerateKeyAsync(string orgId, string environment, DateTimeOffset now, CancellationToken ct)
    {
        var apiKey = ApiKeyHasher.Generate(environment);
        var row = NewKeyRow(orgId, environment, apiKey, "generated", now);
        var revoked = await db.InTransactionAsync(async tx =>
        {
            var old = await keys.RevokeActiveAsync(tx, orgId, environment, now, ct);
            await keys.InsertAsync(tx, row, ct);
            await Audit.AuditLog.RecordAsync(tx, new(orgId, environment, Audit.AuditEvents.ApiKeyRegenerated, Audit.AuditResources.ApiKey, row.Id), now, ct);
            return old;
        }, ct);
        if (revoked is not null) keyCache.Evict(revoked);
        keyCache.Add(row, keyCache.Generation); // committed: known here at once (other nodes hear of it through AuthSync)
        return apiKey;
    }

    public Task<OrgRow?> GetAsync(string id, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<OrgRow>($"select {OrgColumns} from orgs where id = @id", new { id }, ct);

    public Task<OrgRow?> GetAsync(DbTx tx, string id, CancellationToken ct) =>
        tx.QueryFirstOrDefaultAsync<OrgRow>($"select {OrgColumns} from orgs where id = @id", new { id }, ct);

    public Task<(IReadOnlyList<OrgRow> Rows, long Total)> ListAsync(Page page, CancellationToken ct) =>
        db.WithConnectionAsync(async c =>
        {
            var total = await c.ExecuteScalarAsync<long>("select count(*) from orgs", null, ct);
            var rows = await c.QueryAsync<OrgRow>($"select {OrgColumns} from orgs order by id limit @Limit offset @Offset", page, ct);
            return (rows, total);
        }, ct);

    public Task<IReadOnlyList<ApiKeyRow>> ListKeysAsync(string orgId, CancellationToken ct) => keys.ListActiveAsync(orgId, ct);

    // Keys committed by this node (a new organization's): known here at once, so their first request never meets
    // the unknown-credential budget (other nodes hear of them through AuthSync).
    public void Remember(IEnumerable<ApiKeyRow> active)
    {
        ArgumentNullException.ThrowIfNull(active);
        var generation = keyCache.Generation;
        foreach (var row in active) keyCache.Add(row, generation);
    }

    public Task<CustomAppRow?> DefaultAppAsync(string orgId, CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<CustomAppRow>($"select {AppColumns} from custom_apps where org_id = @orgId and is_default = @yes",
            new { orgId, yes = true }, ct);

    // Linked accounts' integrations with the app carry its name and icon too.
    public Task UpdateDefaultAppAsync(CustomAppRow app, CancellationToken ct) =>
        db.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync("""
                update custom_apps set name = @Name, description = @Description, icon = @Icon, auth_fields = @AuthFields, updated_at = @UpdatedAt
                where id = @Id
                """, app, ct);
            await tx.ExecuteAsync("update integrations set name = @Name, icon = @Icon where app_id = @Id", app, ct);
        }, ct);

    public Task<CustomAppRow?> DefaultAppAsync(DbTx tx, string orgId, CancellationToken ct) =>
        tx.QueryFirstOrDefaultAsync<CustomAppRow>($"select {AppColumns} from custom_apps where org_id = @orgId and is_default = @yes",
            new { orgId, yes = true }, ct);

    // The default org is recorded in server_state; exactly one node claims the record on an empty database.
    public static async Task<bool> ClaimDefaultOrgAsync(DbTx tx, string orgId, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return await tx.ExecuteAsync("""
            insert into server_state (name, value, created_at) values ('default_org', @orgId, @now)
            on conflict (name) do nothing
            """, new { orgId, now }, ct) > 0;
    }

    public static Task SetDefaultOrgAsync(DbTx tx, string orgId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.ExecuteAsync("update server_state set value = @orgId where name = 'default_org'", new { orgId }, ct);
    }

    public Task<string?> DefaultOrgIdAsync(CancellationToken ct) =>
        db.QueryFirstOrDefaultAsync<string>("select value from server_state where name = 'default_org'", null, ct);
}

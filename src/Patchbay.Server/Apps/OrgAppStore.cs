using Patchbay.Data;

namespace Patchbay.Apps;

// Which catalog apps an org offers in an environment. Without a row an app takes its default: on when the org
// has nothing to configure for it (a key-based auth type, or OAuth client credentials the customer brings), or when
// the org has set up its OAuth client for it; off otherwise (an OAuth app cannot connect without the org's client).
public sealed class OrgAppStore(Db db, AppCatalog catalog)
{
    public static bool DefaultEnabled(AppManifest app, bool hasOAuthClient) =>
        app is not null && (app.DefaultKeyBasedType is not null || hasOAuthClient
            || app.Auth.GetValueOrDefault(AppManifest.OAuth2)?.GrantType == "client_credentials");

    // An org's own app (custom_apps): it has no schema of its own.
    public async Task<bool> IsCustomAppAsync(string slug, CancellationToken ct) =>
        await db.ExecuteScalarAsync<long>("select count(*) from custom_apps where slug = @slug", new { slug }, ct) > 0;

    public async Task<IReadOnlyList<AppManifest>> EnabledAsync(string orgId, string environment, CancellationToken ct)
    {
        var overrides = await OverridesAsync(orgId, environment, ct);
        var clients = (await db.QueryAsync<string>("select slug from oauth_clients where org_id = @orgId and environment = @environment",
            new { orgId, environment }, ct)).ToHashSet();
        return [.. catalog.All.Where(a => overrides.TryGetValue(a.Slug, out var on) ? on : DefaultEnabled(a, clients.Contains(a.Slug)))];
    }

    public async Task<AppManifest?> FindEnabledAsync(string orgId, string environment, string slug, CancellationToken ct)
    {
        if (catalog.Find(slug) is not { } app) return null;
        var row = await db.QueryFirstOrDefaultAsync<(bool? Enabled, bool HasClient)>("""
            select (select enabled from org_apps where org_id = @orgId and environment = @environment and slug = @slug),
                   exists (select 1 from oauth_clients where org_id = @orgId and environment = @environment and slug = @slug)
            """, new { orgId, environment, slug }, ct);
        return row.Enabled ?? DefaultEnabled(app, row.HasClient) ? app : null;
    }

    public async Task<Dictionary<string, bool>> OverridesAsync(string orgId, string environment, CancellationToken ct) =>
        (await db.QueryAsync<(string Slug, bool Enabled)>(
            "select slug, enabled from org_apps where org_id = @orgId and environment = @environment", new { orgId, environment }, ct))
        .ToDictionary(r => r.Slug, r => r.Enabled);

    public Task SetAsync(string orgId, string environment, string slug, bool enabled, DateTimeOffset now, CancellationToken ct) =>
        db.ExecuteAsync("""
            insert into org_apps (org_id, environment, slug, enabled, updated_at) values (@orgId, @environment, @slug, @enabled, @now)
            on conflict (org_id, environment, slug) do update set enabled = excluded.enabled, updated_at = excluded.updated_at
            """, new { orgId, environment, slug, enabled, now }, ct);
}

using Patchbay.Data;

namespace Patchbay.Apps;

// Which catalog apps an org offers in an environment. Without a row an app takes its default: on when it has a
// key-based auth type (nothing to configure), off when it is OAuth-only (it needs the org's OAuth client first).
public sealed class OrgAppStore(Db db, AppCatalog catalog)
{
    public static bool DefaultEnabled(AppManifest app) => app?.DefaultKeyBasedType is not null;

    public async Task<IReadOnlyList<AppManifest>> EnabledAsync(string orgId, string environment, CancellationToken ct)
    {
        var overrides = await OverridesAsync(orgId, environment, ct);
        return [.. catalog.All.Where(a => overrides.TryGetValue(a.Slug, out var on) ? on : DefaultEnabled(a))];
    }

    public async Task<AppManifest?> FindEnabledAsync(string orgId, string environment, string slug, CancellationToken ct)
    {
        if (catalog.Find(slug) is not { } app) return null;
        var enabled = await db.QueryFirstOrDefaultAsync<bool?>(
            "select enabled from org_apps where org_id = @orgId and environment = @environment and slug = @slug",
            new { orgId, environment, slug }, ct);
        return enabled ?? DefaultEnabled(app) ? app : null;
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

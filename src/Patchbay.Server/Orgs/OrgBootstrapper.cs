using Microsoft.Extensions.Options;
using Patchbay.Auth;
using Patchbay.Data;

namespace Patchbay.Orgs;

// First start: creates the default organization with a test and a production key, printed once to the console
// (never logged, stored only as hashes). Configured bootstrap keys (Patchbay:Bootstrap:*ApiKey) are registered
// instead of generated ones, and re-applied on later starts so deployments can seed known keys.
public sealed class OrgBootstrapper(
    Db db, OrgStore orgs, ApiKeyStore keys, ApiKeyHasher hasher, ApiKeyCache keyCache,
    IOptions<BootstrapOptions> options, TimeProvider time, ILogger<OrgBootstrapper> logger)
{
    public async Task RunAsync(CancellationToken ct)
    {
        var known = KnownKeys();
        var now = time.GetUtcNow();
        var created = await db.InTransactionAsync(async tx =>
        {
            var orgId = Ids.New(now);
            // Exactly one node creates the default org, however many start at once on an empty database.
            if (!await OrgStore.ClaimDefaultOrgAsync(tx, orgId, now, ct)) return null;
            var result = await orgs.CreateAsync(tx, options.Value.DefaultOrgName, known, now, ct);
            await OrgStore.SetDefaultOrgAsync(tx, result.Org.Id, ct);
            return result;
        }, ct);

        if (created is not null)
        {
            logger.LogInformation("Created the default organization {OrgId}", created.Org.Id);
            if (created.GeneratedKeys.Count > 0) PrintOnce(created);
        }

        if (known.Count > 0) await ApplyKnownKeysAsync(known, ct);
    }

    // Their length is a setting checked when the server starts (BootstrapOptions), before anything is created.
    Dictionary<string, string> KnownKeys()
    {
        var o = options.Value;
        var known = new Dictionary<string, string>();
        foreach (var (environment, value) in new[] { (OrgEnvironments.Test, o.TestApiKey), (OrgEnvironments.Production, o.ProductionApiKey) })
        {
            if (!string.IsNullOrWhiteSpace(value)) known[environment] = value.Trim();
        }
        return known;
    }

    // Makes each configured key the active key of its environment in the default org, unless it was revoked by a
    // regeneration since (a regenerated key is never silently reinstated by a restart).
    async Task ApplyKnownKeysAsync(Dictionary<string, string> known, CancellationToken ct)
    {
        var orgId = await orgs.DefaultOrgIdAsync(ct)
            ?? throw new InvalidOperationException("The default organization is missing from server_state.");
        foreach (var (environment, apiKey) in known)
        {
            var hash = hasher.Hash(apiKey);
            var now = time.GetUtcNow();
            try
            {
                await db.InTransactionAsync(async tx =>
                {
                    var existing = await keys.FindAsync(tx, hash, ct);
                    if (existing is not null)
                    {
                        if (existing.OrgId != orgId || existing.Environment != environment)
                            throw new InvalidOperationException($"The configured {environment} bootstrap API key belongs to another organization or environment.");
                        if (existing.RevokedAt is not null)
                            logger.LogWarning("The configured {Environment} bootstrap API key was revoked by a regeneration and stays revoked", environment);
                        return;
                    }
                    var old = await keys.RevokeActiveAsync(tx, orgId, environment, now, ct);
                    await keys.InsertAsync(tx, orgs.NewKeyRow(orgId, environment, apiKey, "bootstrap", now), ct);
                    if (old is not null) keyCache.Evict(old);
                    logger.LogInformation("Registered the configured {Environment} bootstrap API key for the default organization", environment);
                }, ct);
            }
            catch (System.Data.Common.DbException e) when (db.Dialect.IsUniqueViolation(e))
            {
                // Another node registered it at the same moment.
            }
        }
    }

    static void PrintOnce(OrgStore.CreatedOrg created)
    {
        // Written to the console, not the log: this is the one time the keys exist in clear.
        var lines = new List<string>
        {
            "",
            "==============================================================================",
            $" Patchbay created the default organization \"{created.Org.Name}\" ({created.Org.Id}).",
            " Its API keys are shown this once and stored only as hashes; keep them safe:",
        };
        foreach (var (environment, key) in created.GeneratedKeys) lines.Add($"   {environment,-11} x-api-key: {key}");
        lines.Add(" Lost them? Run `Patchbay.Server keys regenerate --environment test` (or `./run.sh keys ...`)");
        lines.Add(" against the same configuration; see docs/admin.md.");
        lines.Add("==============================================================================");
        lines.Add("");
        Console.Out.WriteLine(string.Join(Environment.NewLine, lines));
        Console.Out.Flush();
    }
}

using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Vault;

namespace Patchbay.Orgs;

// `Patchbay.Server keys regenerate`: a new API key for an organization's environment, from the machine that runs
// Patchbay and with its configuration, for when the keys printed at first start are lost and the admin API is not
// enabled (docs/admin.md). Like the admin API's regenerate, the environment's previous key is revoked and every
// server stops accepting it. Never creates a database, a schema or a master key.
public static class KeysCommands
{
    const string Usage = """
        usage: Patchbay.Server keys regenerate --environment test|production [--org default|<org id>] [settings...]
          Prints a new API key once (stored only as a hash) and revokes the environment's previous key.
          --org defaults to the default organization. Settings are read as the server reads them (appsettings.json,
          Patchbay__* environment variables, --Patchbay:DataDirectory=... on the command line).
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.FirstOrDefault() != "regenerate" || !TryParse(args[1..], out var org, out var environment, out var settings))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }
        if (!OrgEnvironments.IsValid(environment))
        {
            await Console.Error.WriteLineAsync($"keys: unknown environment '{environment}': use test or production");
            return 2;
        }

        // The server's own appsettings.json, wherever the command is run from (Configuration/ContentRoot).
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = settings, ContentRootPath = Patchbay.Configuration.ContentRoot.Default(settings) });
        builder.Configuration["Patchbay:Vault:GenerateMissingKeyFile"] = "false";
        builder.Logging.ClearProviders();
        builder.Services.AddData().AddVault();
        builder.Services.AddSingleton<ApiKeyHasher>().AddSingleton<ApiKeyCache>().AddSingleton<ApiKeyStore>().AddSingleton<OrgStore>();
        using var host = builder.Build();
        var services = host.Services;
        var ct = CancellationToken.None;
        var orgs = services.GetRequiredService<OrgStore>();
        try
        {
            // An existing installation only: the database, its vault keys and the API-key hashing secret must be there.
            var db = services.GetRequiredService<Db>();
            if (!db.Dialect.Exists)
                throw new InvalidOperationException("No Patchbay database at the configured location (check Patchbay:DataDirectory or Patchbay:Database:ConnectionString).");
            await services.GetRequiredService<Vault.Vault>().InitializeAsync(ct, createFirstKey: false);
            await services.GetRequiredService<ApiKeyHasher>().InitializeAsync(services.GetRequiredService<ServerSecrets>(), ct, create: false);

            var orgId = org == "default"
                ? await orgs.DefaultOrgIdAsync(ct) ?? throw new InvalidOperationException("This database has no default organization yet.")
                : org;
            var row = await orgs.GetAsync(orgId, ct) ?? throw new InvalidOperationException($"Organization {orgId} not found.");
            using var actor = Audit.AuditActor.Use(Audit.AuditActor.Cli());
            var apiKey = await orgs.RegenerateKeyAsync(row.Id, environment, services.GetRequiredService<TimeProvider>().GetUtcNow(), ct);

            // Standard output carries the key, this once; nothing is logged.
            Console.Out.WriteLine(string.Join(Environment.NewLine,
                $"Regenerated the {environment} API key of \"{row.Name}\" ({row.Id}).",
                $"The previous {environment} key is revoked: every server refuses it within Patchbay:Auth:ReconcileInterval (at once on PostgreSQL).",
                "The new key is shown this once and stored only as a hash; keep it safe:",
                $"   {environment,-11} x-api-key: {apiKey}"));
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or VaultException or System.Data.Common.DbException)
        {
            await Console.Error.WriteLineAsync("keys: " + e.Message);
            return 1;
        }
    }

    // --org and --environment (as "--name value" or "--name=value"); everything else is configuration.
    static bool TryParse(string[] args, out string org, out string environment, out string[] settings)
    {
        string? foundOrg = null, foundEnvironment = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var name = arg.Split('=', 2)[0];
            if (name is not ("--org" or "--environment"))
            {
                rest.Add(arg);
                continue;
            }
            string? value = arg.Contains('=', StringComparison.Ordinal) ? arg[(name.Length + 1)..] : i + 1 < args.Length ? args[++i] : null;
            if (string.IsNullOrWhiteSpace(value))
            {
                foundEnvironment = null;
                break;
            }
            if (name == "--org") foundOrg = value.Trim();
            else foundEnvironment = value.Trim();
        }
        org = foundOrg ?? "default";
        environment = foundEnvironment ?? "";
        settings = [.. rest];
        return foundEnvironment is not null; // a flag without its value leaves it null too: usage
    }
}

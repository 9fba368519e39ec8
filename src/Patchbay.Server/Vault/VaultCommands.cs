using System.Security.Cryptography;
using Patchbay.Data;

namespace Patchbay.Vault;

// `Patchbay.Server vault <command>`: key management against the configured database, while the servers keep
// running (docs/vault.md).
public static class VaultCommands
{
    const string Usage = """
        usage: Patchbay.Server vault <command>
          status              data keys, the master key wrapping each, values sealed under each
          rotate-data-key     create a new data key; new values use it from the next key refresh on every node
          reencrypt           re-seal every value under the active data key, then retire the older keys
          rewrap              re-wrap every data key under the current master key (after a master-key change)
          generate-master-key print a new random master key (base64) for Patchbay:Vault:MasterKey
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var command = args.FirstOrDefault();
        if (command == "generate-master-key")
        {
            Console.WriteLine(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            return 0;
        }
        if (command is not ("status" or "rotate-data-key" or "reencrypt" or "rewrap"))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        // The server's own appsettings.json, wherever the command is run from (Configuration/ContentRoot).
        string[] settings = args[1..];
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = settings, ContentRootPath = Patchbay.Configuration.ContentRoot.Default(settings) });
        builder.Configuration["Patchbay:Vault:GenerateMissingKeyFile"] = "false";
        builder.Logging.ClearProviders();
        builder.Services.AddData().AddVault();
        using var host = builder.Build();
        var services = host.Services;
        var ct = CancellationToken.None;
        var db = services.GetRequiredService<Db>();
        try
        {
            // Operates on an existing installation only: no database file, schema or key is ever created here.
            if (!db.Dialect.Exists)
                throw new InvalidOperationException("No Patchbay database at the configured location (check Patchbay:DataDirectory or Patchbay:Database:ConnectionString).");
            await services.GetRequiredService<Vault>().InitializeAsync(ct, createFirstKey: false);
        }
        catch (Exception e) when (e is InvalidOperationException or System.Data.Common.DbException)
        {
            await Console.Error.WriteLineAsync("vault: " + e.Message);
            return 1;
        }
        var vault = services.GetRequiredService<Vault>();
        var store = services.GetRequiredService<VaultKeyStore>();
        var time = services.GetRequiredService<TimeProvider>();

        switch (command)
        {
            case "status":
                var counts = await CountByKeyAsync(db, ct);
                foreach (var key in await store.ListAsync(ct))
                {
                    var state = key.Id == vault.ActiveKeyId ? "active" : key.RetiredAt is null ? "readable" : "retired";
                    Console.WriteLine($"{key.Id}  {state,-8}  wrapped by {key.MasterKeyId}  created {key.CreatedAt:u}  values {counts.GetValueOrDefault(key.Id)}");
                }
                return 0;

            case "rotate-data-key":
                var row = vault.NewWrappedKey();
                await store.InsertAsync(row, ct);
                Console.WriteLine($"Created data key {row.Id}. Nodes seal new values with it after their next key refresh; run `vault reencrypt` after that to move existing values.");
                return 0;

            case "rewrap":
                var rewrapped = 0;
                var current = services.GetRequiredService<MasterKeys>().Current.Id;
                foreach (var key in await store.ListAsync(ct))
                {
                    if (key.MasterKeyId == current) continue;
                    await store.UpdateWrappingAsync(key.Id, vault.Rewrap(key), current, ct);
                    rewrapped++;
                }
                Console.WriteLine($"Re-wrapped {rewrapped} data key(s) under master key {current}. Previous master keys can now be removed from configuration.");
                return 0;

            default: // reencrypt
                var (moved, failed) = await ReencryptAsync(db, vault, ct);
                if (failed == 0) await store.RetireAllExceptAsync(vault.ActiveKeyId, time.GetUtcNow(), ct);
                Console.WriteLine($"Re-sealed {moved} value(s) under {vault.ActiveKeyId}; {failed} could not be opened" +
                    (failed == 0 ? "; older data keys retired (still readable)." : "; keys left as they were."));
                return failed == 0 ? 0 : 1;
        }
    }

    static async Task<Dictionary<string, long>> CountByKeyAsync(Db db, CancellationToken ct)
    {
        var counts = new Dictionary<string, long>();
        foreach (var column in SealedColumns.All)
        {
            foreach (var value in await SealedColumnStore.ValuesAsync(db, column, ct))
            {
                var id = Vault.KeyIdOf(value);
                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
        }
        return counts;
    }

    // Walks each sealed column in key order, re-sealing values that are not under the active key. The update only
    // applies if the value is unchanged, so a node writing the same row meanwhile wins.
    static async Task<(int Moved, int Failed)> ReencryptAsync(Db db, Vault vault, CancellationToken ct)
    {
        int moved = 0, failed = 0;
        var prefix = $"v1.{vault.ActiveKeyId}.%";
        foreach (var column in SealedColumns.All)
        {
            string[]? last = null;
            while (true)
            {
                var page = await SealedColumnStore.NotUnderAsync(db, column, prefix, last, 200, ct);
                if (page.Count == 0) break;
                foreach (var (keyValues, old) in page)
                {
                    last = keyValues;
                    var context = Vault.Context(column.Table, keyValues);
                    try
                    {
                        var secret = await vault.OpenAsync(old, context, ct);
                        moved += await SealedColumnStore.ReplaceAsync(db, column, keyValues, old, vault.Seal(secret, context), ct);
                    }
                    catch (VaultException e)
                    {
                        failed++;
                        await Console.Error.WriteLineAsync($"{column.Table} ({string.Join(", ", keyValues)}): {e.Message}");
                    }
                }
            }
        }
        return (moved, failed);
    }
}

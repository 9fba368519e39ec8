using Patchbay.Configuration;

namespace Patchbay.Vault;

public sealed class VaultOptions
{
    public const string Section = "Patchbay:Vault";

    // The master key: 32 bytes, base64. Takes precedence over MasterKeyFile.
    public string? MasterKey { get; set; }

    // A file holding the base64 master key. Default: master.key in Patchbay:DataDirectory, generated with owner-only
    // permissions on first start when neither setting is given.
    public string? MasterKeyFile { get; set; }

    // Whether a missing MasterKeyFile is generated. The `vault` command turns this off: it must never invent a key.
    public bool GenerateMissingKeyFile { get; set; } = true;

    // Master keys being rotated out: still used to unwrap data keys until `vault rewrap` has run.
    public List<string> PreviousMasterKeys { get; set; } = [];

    // How often a node re-reads the data-key table to pick up a key rotated by another process.
    [Duration("00:00:00.010", "1.00:00:00")]
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);
}

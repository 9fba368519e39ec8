using Patchbay.Configuration;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Patchbay.Vault;

// The master keys this node holds: the current one (wraps new data keys) and any previous ones still being
// rotated out. Ids are fingerprints, so nodes agree on them without configuration. Read (or, on a first start,
// generated) on first use, when start-up initializes the vault: building the service has no effect on disk, so a
// start stopped by a bad setting or a port in use leaves no key file behind.
public sealed class MasterKeys(IOptions<VaultOptions> options, IConfiguration configuration, ILogger<MasterKeys> logger)
{
    readonly Lazy<Loaded> loaded = new(() => Load(options.Value, configuration, logger));

    sealed record Loaded((string Id, byte[] Key) Current, IReadOnlyDictionary<string, byte[]> ById);

    public (string Id, byte[] Key) Current => loaded.Value.Current;

    public IReadOnlyDictionary<string, byte[]> ById => loaded.Value.ById;

    static Loaded Load(VaultOptions o, IConfiguration configuration, ILogger logger)
    {
        var current = o.MasterKey is { Length: > 0 }
            ? Decode(o.MasterKey, "Patchbay:Vault:MasterKey")
            : LoadOrCreateFile(o.MasterKeyFile ?? Path.Combine(DataDirectory.Resolve(configuration), "master.key"), o.GenerateMissingKeyFile, logger);
        var id = IdOf(current);
        var all = new Dictionary<string, byte[]> { [id] = current };
        foreach (var previous in o.PreviousMasterKeys)
        {
            var key = Decode(previous, "Patchbay:Vault:PreviousMasterKeys");
            all[IdOf(key)] = key;
        }
        return new((id, current), all);
    }

    public static string IdOf(byte[] key) => "mk" + Convert.ToHexStringLower(SHA256.HashData(key).AsSpan(0, 4));

    static byte[] Decode(string base64, string setting)
    {
        byte[] key;
        try { key = Convert.FromBase64String(base64.Trim()); }
        catch (FormatException) { throw new InvalidOperationException($"{setting} is not valid base64."); }
        if (key.Length != 32) throw new InvalidOperationException($"{setting} must be 32 bytes (base64 of 32 random bytes); it is {key.Length}.");
        return key;
    }

    static byte[] LoadOrCreateFile(string path, bool create, ILogger logger)
    {
        if (File.Exists(path))
        {
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
                logger.LogWarning("Vault master key file {Path} is readable by other users; restrict it to the owner (chmod 600)", path);
            return Decode(File.ReadAllText(path, Encoding.UTF8), path);
        }

        if (!create) throw new InvalidOperationException($"No vault master key: {path} does not exist and Patchbay:Vault:MasterKey is not set.");
        var key = RandomNumberGenerator.GetBytes(32);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!); // a full path always has a folder
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(path, fileOptions))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
            writer.Write(Convert.ToBase64String(key));
        logger.LogWarning(
            "Generated a new vault master key in {Path} (owner-only). Everything Patchbay encrypts depends on it: back it up, " +
            "and in production set Patchbay:Vault:MasterKey or Patchbay:Vault:MasterKeyFile explicitly (every node needs the same key)",
            path);
        return key;
    }
}

namespace Patchbay.Configuration;

// The folder of the SQLite file and the generated master key (Patchbay:DataDirectory, ./data by default).
public static class DataDirectory
{
    public const string Setting = "Patchbay:DataDirectory";

    public static string Resolve(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Path.GetFullPath(configuration[Setting] is { Length: > 0 } dir ? dir : "data");
    }
}

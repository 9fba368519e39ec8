namespace Patchbay.Configuration;

// The folder the server reads appsettings.json from. The host's default is the current folder, so
// `dotnet /opt/patchbay/Patchbay.Server.dll` started anywhere else would silently run without the shipped settings;
// Patchbay's default is the application's own folder instead. `--contentRoot <folder>` or the ASPNETCORE_CONTENTROOT
// (DOTNET_CONTENTROOT) environment variable still choose another folder. The data directory is not affected: a
// relative Patchbay:DataDirectory is resolved against the current folder (DataDirectory).
public static class ContentRoot
{
    // The content root to give the host: null when the command line or the environment names one (the host reads it).
    public static string? Default(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var named = args.Any(a => a.TrimStart('-', '/').Split('=', 2)[0].Equals("contentRoot", StringComparison.OrdinalIgnoreCase))
            || Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT") is { Length: > 0 }
            || Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT") is { Length: > 0 };
        return named ? null : AppContext.BaseDirectory;
    }
}

using Patchbay.Configuration;
namespace Patchbay.Vault;

public static class VaultFeature
{
    public static IServiceCollection AddVault(this IServiceCollection services)
    {
        services.AddSettings<VaultOptions>(VaultOptions.Section);
        services.AddSingleton<MasterKeys>();
        services.AddSingleton<VaultKeyStore>();
        services.AddSingleton<Vault>();
        services.AddSingleton<ServerSecrets>();
        services.AddHostedService<VaultKeyRefresher>();
        return services;
    }
}

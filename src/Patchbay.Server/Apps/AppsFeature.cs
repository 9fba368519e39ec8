using Patchbay.Configuration;
using Patchbay.Connections;
using Patchbay.Http;

namespace Patchbay.Apps;

public static class AppsFeature
{
    public static IServiceCollection AddApps(this IServiceCollection services)
    {
        services.AddSettings<AppsOptions>(AppsOptions.Section);
        services.AddSettings<ConnectionOptions>(ConnectionOptions.Section);
        services.AddSingleton<AppCatalog>();
        services.AddSingleton<OrgAppStore>();
        services.AddSingleton<ProviderClient>();
        services.AddSingleton<CredentialVerifier>();
        services.AddSingleton<ConnectionStore>();
        services.AddSingleton<PublicUrls>();
        services.AddSingleton<ConnectionCheckWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<ConnectionCheckWorker>());
        return services;
    }
}

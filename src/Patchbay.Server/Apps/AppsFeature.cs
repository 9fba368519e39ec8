using Patchbay.Connections;
using Patchbay.Http;

namespace Patchbay.Apps;

public static class AppsFeature
{
    public static IServiceCollection AddApps(this IServiceCollection services)
    {
        services.AddOptions<AppsOptions>().BindConfiguration(AppsOptions.Section);
        services.AddOptions<ConnectionOptions>().BindConfiguration(ConnectionOptions.Section);
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

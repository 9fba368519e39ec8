using Patchbay.Configuration;
using Patchbay.Http;

namespace Patchbay.Apps;

public static class AppsFeature
{
    public static IServiceCollection AddApps(this IServiceCollection services)
    {
        services.AddSettings<AppsOptions>(AppsOptions.Section);
        services.AddSingleton<AppCatalog>();
        services.AddSingleton<AppIcons>();
        services.AddSingleton<OrgAppStore>();
        services.AddSingleton<ProviderClient>();
        services.AddSingleton<CredentialVerifier>();
        services.AddSingleton<PublicUrls>();
        return services;
    }
}

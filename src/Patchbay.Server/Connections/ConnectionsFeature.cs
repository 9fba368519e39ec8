using Patchbay.Configuration;

namespace Patchbay.Connections;

// Connections of linked accounts to apps (sealed credentials per integration and auth type), and their re-check.
public static class ConnectionsFeature
{
    public static IServiceCollection AddAppConnections(this IServiceCollection services)
    {
        services.AddSettings<ConnectionOptions>(ConnectionOptions.Section);
        services.AddSingleton<ConnectionStore>();
        services.AddSingleton<ConnectionCheckWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<ConnectionCheckWorker>());
        return services;
    }
}

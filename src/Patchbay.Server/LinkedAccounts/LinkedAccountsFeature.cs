using Patchbay.Configuration;
using Patchbay.Auth;
using Patchbay.Workers;

namespace Patchbay.LinkedAccounts;

public static class LinkedAccountsFeature
{
    public static IServiceCollection AddLinkedAccounts(this IServiceCollection services)
    {
        services.AddSingleton<LinkedAccountStore>();
        services.AddSingleton<IntegrationStore>();
        services.AddSettings<WorkerOptions>(WorkerOptions.Section);
        services.AddSingleton<SessionCleanupWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionCleanupWorker>());
        return services;
    }
}

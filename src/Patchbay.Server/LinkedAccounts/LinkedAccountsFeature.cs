
namespace Patchbay.LinkedAccounts;

public static class LinkedAccountsFeature
{
    public static IServiceCollection AddLinkedAccounts(this IServiceCollection services)
    {
        services.AddSingleton<LinkedAccountStore>();
        services.AddSingleton<IntegrationStore>();
        return services;
    }
}

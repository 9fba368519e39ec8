using Patchbay.Configuration;

namespace Patchbay.Actions;

public static class ActionsFeature
{
    public static IServiceCollection AddActions(this IServiceCollection services)
    {
        services.AddSettings<ActionsOptions>(ActionsOptions.Section);
        services.AddSingleton<ActionCatalog>();
        services.AddSingleton<ActionRunner>();
        return services;
    }
}

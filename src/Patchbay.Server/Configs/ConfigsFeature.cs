using Patchbay.Configuration;
using Patchbay.Executions;
using Patchbay.Workflows;

namespace Patchbay.Configs;

public static class ConfigsFeature
{
    public static IServiceCollection AddConfigs(this IServiceCollection services)
    {
        services.AddSettings<ConfigOptions>(ConfigOptions.Section);
        services.AddSingleton<ConfigStore>();
        services.AddSingleton<ConfigWriter>();
        services.AddSingleton<ConfigViews>();
        services.AddSingleton<DatasourceRunner>();
        services.AddSingleton<IWorkflowConfigs, ConfigResolver>();
        services.AddSingleton<IWorkflowSettingsCheck, DataSlotsCheck>();
        return services;
    }

    public static IEndpointRouteBuilder MapConfigs(this IEndpointRouteBuilder app)
    {
        ConfigsApi.Map(app);
        ConfigFieldsApi.Map(app);
        FieldDefinitionsApi.Map(app);
        return app;
    }
}

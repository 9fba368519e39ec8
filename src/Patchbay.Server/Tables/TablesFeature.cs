using Patchbay.Configuration;
using Patchbay.Executions;

namespace Patchbay.Tables;

public static class TablesFeature
{
    public static IServiceCollection AddTables(this IServiceCollection services)
    {
        services.AddSettings<TablesOptions>(TablesOptions.Section);
        services.AddSingleton<TableStore>();
        services.AddSingleton<TableSearch>();
        services.AddSingleton<TableWriter>();
        services.AddSingleton<IDataNodes, DataNodes>();
        return services;
    }

    public static IEndpointRouteBuilder MapTables(this IEndpointRouteBuilder app)
    {
        TablesApi.Map(app);
        TablesExtensionApi.Map(app);
        return app;
    }
}

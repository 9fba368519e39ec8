namespace Patchbay.EnvironmentVariables;

public static class EnvironmentVariablesFeature
{
    public static IServiceCollection AddEnvironmentVariables(this IServiceCollection services)
    {
        services.AddSingleton<EnvironmentVariableStore>();
        services.AddSingleton<WorkflowEnvironment>();
        return services;
    }
}

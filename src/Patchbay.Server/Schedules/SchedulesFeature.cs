namespace Patchbay.Schedules;

public static class SchedulesFeature
{
    public static IServiceCollection AddSchedules(this IServiceCollection services)
    {
        services.AddSingleton<ScheduleStore>();
        services.AddSingleton<ScheduleWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<ScheduleWorker>());
        return services;
    }

    public static IEndpointRouteBuilder MapSchedules(this IEndpointRouteBuilder app)
    {
        SchedulesApi.Map(app);
        return app;
    }
}

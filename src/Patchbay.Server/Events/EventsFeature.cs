namespace Patchbay.Events;

public static class EventsFeature
{
    public static IServiceCollection AddEvents(this IServiceCollection services)
    {
        services.AddSingleton<EventStore>();
        return services;
    }

    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        EventsApi.Map(app);
        return app;
    }
}

namespace Patchbay.Datarefs;

public static class DatarefsFeature
{
    public static IServiceCollection AddDatarefs(this IServiceCollection services) => services.AddSingleton<DatarefStore>();

    public static IEndpointRouteBuilder MapDatarefs(this IEndpointRouteBuilder app)
    {
        DatarefsApi.Map(app);
        return app;
    }
}

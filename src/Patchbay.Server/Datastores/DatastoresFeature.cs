namespace Patchbay.Datastores;

public static class DatastoresFeature
{
    public static IEndpointRouteBuilder MapDatastores(this IEndpointRouteBuilder app)
    {
        DatastoresApi.Map(app);
        return app;
    }
}

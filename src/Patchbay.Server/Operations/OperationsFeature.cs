using Scalar.AspNetCore;

namespace Patchbay.Operations;

public static class OperationsFeature
{
    // Startup does its work once the server listens (IHostedLifecycleService.StartedAsync); see Startup.
    public static IServiceCollection AddStartup(this IServiceCollection services)
    {
        services.AddSingleton<Startup>();
        services.AddHostedService(sp => sp.GetRequiredService<Startup>());
        return services;
    }

    // Between binding its addresses and the end of start-up the server answers 503, the error shape, except for the
    // health routes (/readyz says "Starting up" itself). Before authentication, which needs the hashing key.
    public static WebApplication UseStartupGate(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var gate = app.Services.GetRequiredService<Data.StartupGate>();
        app.Use((http, next) =>
        {
            var health = http.Request.Path.Equals("/healthz", StringComparison.OrdinalIgnoreCase)
                || http.Request.Path.Equals("/readyz", StringComparison.OrdinalIgnoreCase);
            if (gate.IsOpen || health) return next(http);
            http.Response.Headers.RetryAfter = "1";
            return Http.ApiErrorWriter.WriteAsync(http, StartingUp);
        });
        return app;
    }

    internal static readonly Http.ApiError StartingUp =
        Http.ApiError.Create(503, Http.ErrorCodes.ServiceUnavailable, "Patchbay is starting up; retry in a moment");

    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        services.AddLogRedaction(); // every log line, the framework's included, without the secrets some URLs carry
        services.AddConsoleFormat(); // simple on a terminal, JSON otherwise (Logging:Console:FormatterName)
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer<ApiDocsTransformer>();
            o.AddOperationTransformer<ApiDocsTransformer>();
            o.AddSchemaTransformer<ApiDocsSchemas>();
        });
        return services;
    }

    public static void MapApiDocs(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        // The reference works offline: no fonts from Scalar's CDN, no AI agent, MCP, telemetry or the developer
        // toolbar's hosted services (deploy, SDK generation, sharing); the page's script is served by the package.
        app.MapScalarApiReference("/docs", o => o
            .WithTitle("Patchbay API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableDefaultFonts()
            .DisableAgent()
            .DisableMcp()
            .DisableTelemetry()
            .HideDeveloperTools()
            .AddPreferredSecuritySchemes(Http.ApiDocs.OrgApiKey)).AllowAnonymous();
    }
}

using Microsoft.OpenApi;
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
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Patchbay API",
                Version = "v1",
                Description = "Refold-compatible embedded-integration API. Authenticate with `x-api-key` (plus `linked_account_id` " +
                    "for linked-account routes) or `Authorization: Bearer <session token>`.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["Org API Key"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "x-api-key",
                Description = "Organization API key (`tk…` test, `pk…` production).",
            };
            document.Components.SecuritySchemes["Linked Account Token"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
                Description = "Session token from POST /api/v2/public/session-token.",
            };
            return Task.CompletedTask;
        }));
        return services;
    }

    public static void MapApiDocs(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/docs", o => o.WithTitle("Patchbay API").WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
    }
}

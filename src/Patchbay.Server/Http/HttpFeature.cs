using Patchbay.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Patchbay.Http;

public static class HttpFeature
{
    public static IServiceCollection AddHttpConventions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<HttpOptions>(HttpOptions.Section);
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        // The writer is registered before AddProblemDetails: older ProblemDetailsService versions try writers in
        // registration order, and ours must win for every status.
        services.AddSingleton<IProblemDetailsWriter, ApiErrorWriter>();
        services.AddProblemDetails();
        services.AddExceptionHandler<UnhandledExceptionHandler>();
        services.AddCors(o => o.AddDefaultPolicy(p => p
            .AllowAnyOrigin().AllowAnyHeader().AllowAnyMethod()
            .WithExposedHeaders("X-Trace-ID", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After")));
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownIPNetworks.Clear();
            o.KnownProxies.Clear();
        });
        var maxBody = configuration.GetValue<long?>($"{HttpOptions.Section}:MaxRequestBodySize") ?? new HttpOptions().MaxRequestBodySize;
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o =>
        {
            o.AddServerHeader = false;
            o.Limits.MaxRequestBodySize = maxBody;
            o.ConfigureEndpointDefaults(KestrelRejections.Use); // Kestrel's own rejections get the error shape too
        });
        return services;
    }

    public static WebApplication UseHttpConventions(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // First, so every response (errors included) carries the id its body's request_id repeats.
        app.Use((http, next) =>
        {
            var id = Guid.NewGuid().ToString();
            http.TraceIdentifier = id;
            http.Response.Headers["X-Trace-ID"] = id;
            // At the last moment, so no handler or error path (the exception handler clears headers) can lose it.
            http.Response.OnStarting(static state =>
            {
                ((HttpResponse)state).Headers.XContentTypeOptions = "nosniff";
                return Task.CompletedTask;
            }, http.Response);
            return next(http);
        });
        if (app.Services.GetRequiredService<IOptions<HttpOptions>>().Value.TrustForwardedHeaders) app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        // The public API answers any origin (browsers call it with session tokens). The admin API is for operators,
        // not browsers: no CORS there at all, preflights included (a preflight may match no endpoint, so endpoint
        // metadata alone would not keep the default policy away).
        app.UseWhen(http => !http.Request.Path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase), branch => branch.UseCors());
        return app;
    }
}

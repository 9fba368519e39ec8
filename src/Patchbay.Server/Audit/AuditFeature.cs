using Patchbay.Configuration;

namespace Patchbay.Audit;

// The audit log: entries written by each feature's write path in its own transaction (AuditLog), read through
// GET /api/v2/public/audit/audit-trails, deleted after Patchbay:Audit:RetentionDays.
public static class AuditFeature
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSettings<AuditOptions>(AuditOptions.Section);
        services.AddSingleton<AuditStore>();
        services.AddSingleton<AuditRetentionWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditRetentionWorker>());
        return services;
    }

    // After authentication: binds the request to the async flow, so entries written while it runs name its caller,
    // address and request id.
    public static WebApplication UseAudit(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (http, next) =>
        {
            using var bound = AuditActor.Bind(http);
            await next(http);
        });
        return app;
    }
}

using Patchbay.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Patchbay.Data;

public static class DataFeature
{
    public static IServiceCollection AddData(this IServiceCollection services)
    {
        services.AddSettings<DatabaseOptions>(DatabaseOptions.Section);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<SqlDialect>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            if (options.ResolvedProvider == DatabaseProvider.Postgres)
            {
                var cs = options.ConnectionString ?? throw new InvalidOperationException("Patchbay:Database:ConnectionString is required for PostgreSQL.");
                return new PostgresDialect(PostgresDialect.CreateDataSource(cs));
            }
            var sqlite = options.ConnectionString
                ?? $"Data Source={Path.Combine(DataDirectory.Resolve(sp.GetRequiredService<IConfiguration>()), "patchbay.db")}";
            return new SqliteDialect(sqlite);
        });
        services.AddSingleton<Db>();
        services.AddSingleton<Migrator>();
        services.AddSingleton<StartupGate>();
        services.AddSingleton<Node>();
        return services;
    }
}

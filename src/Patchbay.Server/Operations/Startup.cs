using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Orgs;
using Patchbay.Vault;

namespace Patchbay.Operations;

// Brings the database and the shared secrets up (migrate → vault → secrets → bootstrap) once the server listens.
// The host starts every hosted service, Kestrel last, and only then calls StartedAsync: a port in use or a bad
// setting stops the start before any database, key file or organization exists and before a key is printed once.
// Until this finishes, requests are answered 503 (UseStartupGate) and background workers wait (Data/StartupGate).
// Under WebApplicationFactory the same code runs, and the factory's start returns only after it.
public sealed class Startup(
    Migrator migrator, Vault.Vault vault, ServerSecrets secrets, ApiKeyHasher hasher, SessionTokens sessions,
    OrgBootstrapper bootstrapper, Apps.AppCatalog catalog, OAuth.OAuthStateStore oauthStates, Executions.WebhookIds webhookIds,
    StartupGate gate, Microsoft.AspNetCore.Hosting.Server.IServer server, ILogger<Startup> logger) : IHostedLifecycleService
{
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await migrator.MigrateAsync(cancellationToken);
            await vault.InitializeAsync(cancellationToken);
            await hasher.InitializeAsync(secrets, cancellationToken);
            await sessions.InitializeAsync(secrets, cancellationToken);
            await oauthStates.InitializeAsync(secrets, cancellationToken);
            await webhookIds.InitializeAsync(secrets, cancellationToken);
            await bootstrapper.RunAsync(cancellationToken);
            logger.LogInformation("Patchbay is ready with {AppCount} apps in the catalog", catalog.All.Count); // the catalog loads (and validates) here
        }
        catch (Exception e) when (StartupException.Describe(e) is { } problem)
        {
            throw new StartupException(problem, e);
        }
        gate.Open();
        // Where a person goes next: the console (an org API key signs in).
        var addresses = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses) logger.LogInformation("Dashboard: {DashboardUrl}", address.TrimEnd('/') + "/dashboard");
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

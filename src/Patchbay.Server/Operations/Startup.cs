using Patchbay.Auth;
using Patchbay.Data;
using Patchbay.Orgs;
using Patchbay.Vault;

namespace Patchbay.Operations;

// Brings the database and the shared secrets up before the server accepts requests. Registered as the first hosted
// service: hosted services start in order, and all of them before Kestrel listens.
public sealed class Startup(
    Migrator migrator, Vault.Vault vault, ServerSecrets secrets, ApiKeyHasher hasher, SessionTokens sessions,
    OrgBootstrapper bootstrapper, Apps.AppCatalog catalog, OAuth.OAuthStateStore oauthStates, Executions.WebhookIds webhookIds, ILogger<Startup> logger) : IHostedService
{
    public bool Completed { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await migrator.MigrateAsync(cancellationToken);
        await vault.InitializeAsync(cancellationToken);
        await hasher.InitializeAsync(secrets, cancellationToken);
        await sessions.InitializeAsync(secrets, cancellationToken);
        await oauthStates.InitializeAsync(secrets, cancellationToken);
        await webhookIds.InitializeAsync(secrets, cancellationToken);
        await bootstrapper.RunAsync(cancellationToken);
        Completed = true;
        logger.LogInformation("Patchbay is ready with {AppCount} apps in the catalog", catalog.All.Count); // the catalog loads (and validates) here
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

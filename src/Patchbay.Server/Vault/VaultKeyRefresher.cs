using Microsoft.Extensions.Options;

namespace Patchbay.Vault;

// Picks up a data key rotated by `vault rotate-data-key` (another process), so this node seals new values with it.
public sealed class VaultKeyRefresher(
    Vault vault, Data.StartupGate startup, TimeProvider time, IOptions<VaultOptions> options, ILogger<VaultKeyRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await startup.WaitAsync(stoppingToken)) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.KeyRefreshInterval, time, stoppingToken);
                await vault.RefreshAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (System.Data.Common.DbException e)
            {
                logger.LogWarning(e, "Refreshing vault data keys failed; retrying next interval");
            }
        }
    }
}

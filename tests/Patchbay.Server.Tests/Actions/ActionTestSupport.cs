using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Patchbay.Apps;
using Patchbay.Connections;
using Patchbay.Tests.Infrastructure;

namespace Patchbay.Tests.Actions;

public static class ActionTestSupport
{
    // The recording provider's prefix of a server started with RecordingProviderOptions.
    public static string RecordingPrefix(this PatchbayApp app) =>
        app.Services.GetRequiredService<IConfiguration>()[RecordingProviderOptions.PrefixSetting]!;

    // Stores a connection for the account as a completed connect flow would (sealed, active), without asking the
    // provider: for auth types whose flow is not what a test is about (OAuth tokens, credentials for any app).
    public static async Task ConnectAsync(this PatchbayApp app, string accountId, string slug, string authType,
        IReadOnlyDictionary<string, string> values, DateTimeOffset? tokenExpiresAt = null)
    {
        var ct = Xunit.TestContext.Current.CancellationToken;
        var rowId = await app.Db.ExecuteScalarAsync<string>("select id from linked_accounts where account_id = @accountId", new { accountId }, ct);
        var manifest = app.Services.GetRequiredService<AppCatalog>().Find(slug)!;
        await app.Services.GetRequiredService<ConnectionStore>().SaveAsync(rowId!, manifest, authType, values, "test-identifier",
            app.Time.GetUtcNow(), new ConnectionSchedule(TokenExpiresAt: tokenExpiresAt), ct);
    }
}

using System.Diagnostics;
using System.Net.Http.Json;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Auth;

// Two Patchbay nodes on one PostgreSQL database: what one node revokes, the other refuses, without a restart.
// (SQLite serves a single node; see docs/deployment.md.)
public sealed class PostgresMultiNodeTests(PostgresApp nodeA) : IClassFixture<PostgresApp>, IAsyncLifetime
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    PatchbayApp nodeB = null!;

    public async ValueTask InitializeAsync()
    {
        nodeB = nodeA.CreateNode();
        await nodeB.InitializeAsync();
    }

    public async ValueTask DisposeAsync() => await nodeB.DisposeAsync();

    // Polls until `status` comes back (at once, usually) or a minute passes; returns the last status seen. The budget
    // only bounds a failing test: a busy machine may deliver a notification late.
    static async Task<int> EventuallyAsync(Func<Task<HttpResponseMessage>> request, int status)
    {
        var watch = Stopwatch.StartNew();
        int last;
        do
        {
            last = (int)(await request()).StatusCode;
            if (last == status) return last;
            await Task.Delay(25, Ct);
        }
        while (watch.Elapsed < TimeSpan.FromMinutes(1));
        return last;
    }

    [Fact]
    public async Task RegeneratedKey_OnNodeA_IsRefusedByNodeB()
    {
        var (orgId, oldKey, _) = await nodeA.CreateOrgAsync();
        await ApiAssert.OkAsync(await nodeB.ClientFor(oldKey).GetAsync("/api/v2/public/linked-account", Ct)); // B now caches the key

        var regenerated = await ApiAssert.OkAsync(await nodeA.AdminClient().PostAsync($"/admin/v1/orgs/{orgId}/api-keys/test/regenerate", null, Ct));
        Assert.Equal(401, await EventuallyAsync(() => nodeB.ClientFor(oldKey).GetAsync("/api/v2/public/linked-account", Ct), 401));
        await ApiAssert.OkAsync(await nodeB.ClientFor(regenerated.Str("api_key")).GetAsync("/api/v2/public/linked-account", Ct));
    }

    [Fact]
    public async Task RevokedSession_OnNodeA_IsRefusedByNodeB()
    {
        var id = await nodeA.CreateLinkedAccountAsync();
        var token = await nodeA.CreateSessionTokenAsync(id);
        await ApiAssert.OkAsync(await nodeB.SessionClient(token).GetAsync("/api/v2/public/session/active-linked-account", Ct));

        await ApiAssert.OkAsync(await nodeA.SessionClient(token).PostAsync("/api/v2/public/session-token/revoke", null, Ct));
        Assert.Equal(401, await EventuallyAsync(() => nodeB.SessionClient(token).GetAsync("/api/v2/public/session/active-linked-account", Ct), 401));
    }

    [Fact]
    public async Task DeletedAccount_OnNodeA_ItsTokenIsRefusedByNodeB()
    {
        var id = await nodeA.CreateLinkedAccountAsync();
        var token = await nodeA.CreateSessionTokenAsync(id);
        await ApiAssert.OkAsync(await nodeB.SessionClient(token).GetAsync("/api/v2/public/session/active-linked-account", Ct));

        await ApiAssert.OkAsync(await nodeA.ClientFor().DeleteAsync($"/api/v2/public/linked-account/{id}", Ct));
        await nodeA.ClientFor().PostAsJsonAsync("/api/v2/public/linked-account", new { linked_account_id = id }, Ct);
        Assert.Equal(401, await EventuallyAsync(() => nodeB.SessionClient(token).GetAsync("/api/v2/public/session/active-linked-account", Ct), 401));
    }

    [Fact]
    public async Task SessionIssuedOnNodeA_IsReusedByNodeB()
    {
        var id = await nodeA.CreateLinkedAccountAsync();
        var fromA = await nodeA.CreateSessionTokenAsync(id);
        var fromB = await nodeB.CreateSessionTokenAsync(id);
        Assert.Equal(fromA, fromB); // both nodes sign with the one shared key
    }
}

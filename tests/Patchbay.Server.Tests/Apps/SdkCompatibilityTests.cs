using System.Diagnostics;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Apps;

// Node talks to a real socket; the SDK connects Stripe, which is the fake provider.
public sealed class SdkOptions : IAppOptions
{
    public void Configure(AppSetup setup)
    {
        setup.FakeProvider = true;
        setup.Kestrel = true;
    }
}

// The official frontend SDK, @cobaltio/cobalt-js 8.0.0 from npm, unmodified, in Node against a live Patchbay:
// list and read apps, connect a key-based app (a wrong key first), see it connected, install it (a config), set a
// field value and enable a workflow, read/set/clear the field, delete the config, disconnect the app.
// tests/sdk holds the package (test.sh runs `npm ci` there) and the script.
public abstract class SdkCompatibilityTests(PatchbayApp app)
{
    [Fact]
    public async Task CobaltJs800_ConnectsConfiguresAndDisconnectsKeyBasedApp()
    {
        var folder = Path.Combine(RepositoryRoot(), "tests", "sdk");
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "@cobaltio", "cobalt-js")),
            $"The SDK is not installed: run `npm ci` in {folder} (./test.sh does).");
        var account = await app.CreateLinkedAccountAsync();
        var token = await app.CreateSessionTokenAsync(account);
        var org = app.ClientFor();
        var field = await Configs.ConfigApi.DefineAsync(org, "stripe", new
        {
            name = "Pipeline " + Guid.NewGuid().ToString("N")[..6], field_type = "select",
            options = new[] { new { name = "Sales", value = "sales" }, new { name = "Support", value = "support" } },
        });
        var workflow = await Configs.ConfigApi.PublicWorkflowAsync(org, "stripe", "SDK sync", Workflows.WorkflowApi.Graph(
            [Workflows.WorkflowApi.Node("start", "start"), Workflows.WorkflowApi.Node("out", "response", new { body = new { ok = true } })],
            [Workflows.WorkflowApi.Edge("start", "out")]));

        var info = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["cobalt-js-8.mjs", app.BaseAddress, token, FakeProvider.StripeKey, field.Str("id"), workflow]) info.ArgumentList.Add(arg);
        using var node = Process.Start(info)!; // node is on the path of every machine this project runs on
        var output = node.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = node.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await node.WaitForExitAsync(TestContext.Current.CancellationToken);
        var text = await output + await errors;

        Assert.True(node.ExitCode == 0, text);
        Assert.Equal(12, text.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Patchbay.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Patchbay.slnx not found above the test binaries.");
    }
}

public sealed class SqliteSdkCompatibilityTests(SqliteApp<SdkOptions> app) : SdkCompatibilityTests(app), IClassFixture<SqliteApp<SdkOptions>>;
public sealed class PostgresSdkCompatibilityTests(PostgresApp<SdkOptions> app) : SdkCompatibilityTests(app), IClassFixture<PostgresApp<SdkOptions>>;

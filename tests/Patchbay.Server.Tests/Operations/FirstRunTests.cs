using System.Net;
using System.Net.Sockets;
using Patchbay.Tests.Infrastructure;
using Xunit;

namespace Patchbay.Tests.Operations;

// The real server process, started the way a newcomer starts it (no master key, no bootstrap keys, the default
// data directory layout), in ways that must stop the start before anything exists: nothing created, no key printed
// (a key printed "this once" by a server that then failed would be lost), one line naming the problem, exit code 1.
public abstract class FirstRunTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The database settings of a fresh, empty database.
    protected abstract Task<Dictionary<string, string>> DatabaseAsync(string dataDirectory);

    // Whether anything was created in that database.
    protected abstract Task<bool> DatabaseUntouchedAsync();

    protected abstract Task DropAsync();

    async Task<(ServerProcess.Result Result, string Data)> StartAsync(string urls, Dictionary<string, string>? settings = null)
    {
        var data = Path.Combine(Path.GetTempPath(), "patchbay-first-run", Guid.NewGuid().ToString("N"), "data"); // not created
        var environment = await DatabaseAsync(data);
        environment["Urls"] = urls;
        environment["Patchbay__DataDirectory"] = data;
        foreach (var (k, v) in settings ?? []) environment[k] = v;
        return (await ServerProcess.RunAsync([], environment), data);
    }

    async Task AssertNothingCreatedAsync(ServerProcess.Result result, string data)
    {
        Assert.False(Directory.Exists(data) && Directory.EnumerateFileSystemEntries(data).Any(),
            $"the data directory holds {string.Join(", ", Directory.Exists(data) ? Directory.EnumerateFileSystemEntries(data) : Array.Empty<string>())}");
        Assert.True(await DatabaseUntouchedAsync(), "the database was migrated");
        Assert.DoesNotContain("x-api-key", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Output, StringComparison.Ordinal); // no stack trace, in the log or outside it
        Assert.DoesNotContain("Exception", result.Output, StringComparison.Ordinal);
    }

    static string OneLine(ServerProcess.Result result)
    {
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, "standard error is not one line:\n" + result.Output);
        return lines[0];
    }

    [Fact]
    public async Task PortInUse_StopsTheStart_BeforeCreatingAnythingOrPrintingKeys()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        try
        {
            var (result, data) = await StartAsync(address);

            Assert.True(result.ExitCode == 1, $"exit code {result.ExitCode}:\n{result.Output}");
            Assert.Equal($"Patchbay could not start: the address {address} is already in use (set Urls or free the port)", OneLine(result));
            await AssertNothingCreatedAsync(result, data);
        }
        finally { await DropAsync(); }
    }

    [Theory]
    [InlineData("Patchbay__Bootstrap__TestApiKey", "Patchbay:Bootstrap:TestApiKey")]
    [InlineData("Patchbay__Bootstrap__ProductionApiKey", "Patchbay:Bootstrap:ProductionApiKey")]
    public async Task ShortBootstrapKey_StopsTheStart_BeforeCreatingAnything(string variable, string setting)
    {
        try
        {
            var (result, data) = await StartAsync("http://127.0.0.1:0", new() { [variable] = "tk-too-short" });

            Assert.True(result.ExitCode == 1, $"exit code {result.ExitCode}:\n{result.Output}");
            Assert.Equal($"Patchbay could not start: {setting} must be at least 20 characters of random text", OneLine(result));
            await AssertNothingCreatedAsync(result, data);
        }
        finally { await DropAsync(); }
    }

    [Fact]
    public async Task UntilStartUpFinishes_TheServerListens_AndAnswers503()
    {
        using var free = new TcpListener(IPAddress.Loopback, 0);
        free.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)free.LocalEndpoint).Port}";
        free.Stop();
        var data = Path.Combine(Path.GetTempPath(), "patchbay-first-run", Guid.NewGuid().ToString("N"), "data");
        var environment = await DatabaseAsync(data);
        environment["Urls"] = address;
        environment["Patchbay__DataDirectory"] = data;
        environment["Patchbay__Vault__MasterKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var key = "tk" + Guid.NewGuid().ToString("D");
        environment["Patchbay__Bootstrap__TestApiKey"] = key;
        try
        {
            var hold = await HoldMigrationAsync(data); // start-up waits for the database
            await using var server = ServerProcess.Start([], environment);
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            http.DefaultRequestHeaders.Add("x-api-key", key);
            try
            {
                await WaitForAsync(server, http, "/healthz");
                var ready = await ApiAssert.JsonAsync(await http.GetAsync("/readyz", Ct), 503);
                Assert.Equal("Starting up", ready.Str("message"));
                var api = await ApiAssert.JsonAsync(await http.GetAsync("/api/v2/public/linked-account", Ct), 503);
                Assert.Equal(503, api.GetProperty("status_code").GetInt32());
            }
            finally { await hold.DisposeAsync(); }

            await WaitForAsync(server, http, "/readyz");
            await ApiAssert.OkAsync(await http.GetAsync("/api/v2/public/linked-account", Ct));
        }
        finally { await DropAsync(); }
    }

    static async Task WaitForAsync(ServerProcess server, HttpClient http, string path)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3); // bounds a failing start; a busy machine starts slowly
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(server.HasExited, "The server exited:\n" + server.Output);
            try
            {
                if ((await http.GetAsync(path, Ct)).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100, Ct);
        }
        Assert.Fail($"{path} never answered 200:\n{server.Output}");
    }

    // Blocks the server's migration (and so its start-up) until disposed.
    protected abstract Task<IAsyncDisposable> HoldMigrationAsync(string dataDirectory);
}

public sealed class SqliteFirstRunTests : FirstRunTests
{
    string? file;

    protected override Task<Dictionary<string, string>> DatabaseAsync(string dataDirectory)
    {
        file = Path.Combine(dataDirectory, "patchbay.db"); // the default location: no connection string
        return Task.FromResult(new Dictionary<string, string> { ["Patchbay__Database__Provider"] = "Sqlite" });
    }

    protected override Task<bool> DatabaseUntouchedAsync() => Task.FromResult(file is not null && !File.Exists(file));

    // An exclusive lock on the file: the server's first statement waits for it (SQLite's busy timeout).
    protected override async Task<IAsyncDisposable> HoldMigrationAsync(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dataDirectory, "patchbay.db")};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "begin exclusive";
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        return connection; // closing it rolls back and releases the lock
    }

    protected override Task DropAsync()
    {
        if (file is not null)
        {
            try { Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(file)!)!, recursive: true); }
            catch (DirectoryNotFoundException) { }
        }
        return Task.CompletedTask;
    }
}

public sealed class PostgresFirstRunTests(PostgresServer server) : FirstRunTests
{
    string? connectionString;

    protected override async Task<Dictionary<string, string>> DatabaseAsync(string dataDirectory)
    {
        connectionString = await server.CreateDatabaseAsync();
        return new Dictionary<string, string>
        {
            ["Patchbay__Database__Provider"] = "Postgres",
            ["Patchbay__Database__ConnectionString"] = connectionString,
        };
    }

    protected override async Task<bool> DatabaseUntouchedAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new Npgsql.NpgsqlCommand("select count(*) from information_schema.tables where table_schema = 'public'", connection);
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))! == 0;
    }

    // The migrator's advisory lock, held by another session.
    protected override async Task<IAsyncDisposable> HoldMigrationAsync(string dataDirectory)
    {
        var connection = new Npgsql.NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new Npgsql.NpgsqlCommand("select pg_advisory_lock(@key)", connection);
        command.Parameters.AddWithValue("key", 0x5041_5443_4842_4159L); // Migrator.AdvisoryLockKey
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        return connection; // closing it releases the lock
    }

    protected override async Task DropAsync()
    {
        if (connectionString is not null) await server.DropDatabaseAsync(connectionString);
    }
}

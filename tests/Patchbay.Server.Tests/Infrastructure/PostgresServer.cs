using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

[assembly: Xunit.AssemblyFixture(typeof(Patchbay.Tests.Infrastructure.PostgresServer))]

namespace Patchbay.Tests.Infrastructure;

// The PostgreSQL half of the suite needs a server, and our machines have no Docker (DESIGN §4.11):
// - PATCHBAY_TEST_POSTGRES names one (an Npgsql connection string to a database the tests may CREATE DATABASE on);
// - otherwise a throwaway cluster is initdb'ed in a temporary folder, started on a free port, and removed at the end.
// Started on first use, so a SQLite-only run (--filter "FullyQualifiedName!~Postgres") never touches PostgreSQL.
public sealed class PostgresServer : IAsyncDisposable
{
    const string FolderPrefix = "patchbay-pg-";
    readonly SemaphoreSlim gate = new(1, 1);
    string? connectionString;
    string? folder;
    string? binDir;
    string? dataDir;
    string? options;
    readonly bool privateCluster;

    public PostgresServer() { }

    PostgresServer(bool privateCluster) => this.privateCluster = privateCluster;

    // A cluster of the test's own, even when PATCHBAY_TEST_POSTGRES names a shared one: a test that stops and starts
    // PostgreSQL (an outage) must not take the rest of the suite down with it.
    public static PostgresServer Private() => new(privateCluster: true);

    public async Task<string> GetConnectionStringAsync()
    {
        if (connectionString is not null) return connectionString;
        await gate.WaitAsync();
        try
        {
            connectionString ??= !privateCluster && Environment.GetEnvironmentVariable("PATCHBAY_TEST_POSTGRES") is { Length: > 0 } named
                ? named
                : await ProvisionAsync();
            return connectionString;
        }
        finally { gate.Release(); }
    }

    async Task<string> ProvisionAsync()
    {
        binDir = FindBinDir() ?? throw new InvalidOperationException(
            "The PostgreSQL tests need a server: install the PostgreSQL server binaries (Debian: apt-get install postgresql) " +
            "or set PATCHBAY_TEST_POSTGRES to a connection string.");
        RemoveAbandonedClusters();

        folder = Path.Combine(Path.GetTempPath(), FolderPrefix + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "owner.pid"), Environment.ProcessId.ToString());
        var data = Path.Combine(folder, "data");
        var asRoot = Environment.UserName == "root";
        if (asRoot) await RunAsync("chown", ["-R", "postgres:postgres", folder], asPostgres: false);

        await RunAsync(Path.Combine(binDir, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"], asRoot);
        var port = FreePort();
        var serverOptions = $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off " +
                            "-c full_page_writes=off -c max_connections=400 -c shared_buffers=128MB";
        // The first test to need PostgreSQL waits for this: on a busy machine the server may take minutes to accept
        // connections, and a shorter wait failed that test with pg_ctl's message instead of its own.
        (dataDir, options) = (data, serverOptions);
        await RunAsync(Path.Combine(binDir, "pg_ctl"), ["-D", data, "-l", Path.Combine(folder, "server.log"), "-o", serverOptions, "-w", "-t", "300", "start"], asRoot);
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=30;Timeout=60;Command Timeout=120";
    }

    // The newest /usr/lib/postgresql/<version>/bin, or what pg_config reports.
    static string? FindBinDir()
    {
        var candidates = new List<string>();
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, UseShellExecute = false });
            if (process is not null)
            {
                var output = process.StandardOutput.ReadToEnd().Trim();
                process.WaitForExit();
                if (output.Length > 0) candidates.Add(output);
            }
        }
        catch (System.ComponentModel.Win32Exception) { } // pg_config is not installed
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    // Clusters left by a test process that died before cleaning up.
    void RemoveAbandonedClusters()
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var pidFile = Path.Combine(dir, "owner.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile), out var pid) && IsAlive(pid)) continue;
            StopCluster(dir);
        }
    }

    static bool IsAlive(int pid)
    {
        try { return !Process.GetProcessById(pid).HasExited; }
        catch (ArgumentException) { return false; }
    }

    void StopCluster(string dir)
    {
        var data = Path.Combine(dir, "data");
        if (binDir is not null && File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            try
            {
                RunAsync(Path.Combine(binDir, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], Environment.UserName == "root").GetAwaiter().GetResult();
            }
            catch (InvalidOperationException) { } // already stopped
        }
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // initdb refuses to run as root; as root, the server binaries run as the postgres user.
    static async Task RunAsync(string file, string[] args, bool asPostgres)
    {
        var info = asPostgres ? new ProcessStartInfo("runuser") : new ProcessStartInfo(file);
        if (asPostgres)
        {
            foreach (var a in (string[])["-u", "postgres", "--", file]) info.ArgumentList.Add(a);
        }
        foreach (var a in args) info.ArgumentList.Add(a);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {await stderr}{await stdout}");
    }

    // An outage: PostgreSQL stopped (fast shutdown: sessions are terminated) and started again. Private clusters only.
    public Task StopServerAsync() =>
        RunAsync(Path.Combine(binDir!, "pg_ctl"), ["-D", dataDir!, "-m", "fast", "-w", "stop"], Environment.UserName == "root");

    public Task StartServerAsync() =>
        RunAsync(Path.Combine(binDir!, "pg_ctl"), ["-D", dataDir!, "-l", Path.Combine(folder!, "server.log"), "-o", options!, "-w", "-t", "300", "start"],
            Environment.UserName == "root");

    public async Task<string> CreateDatabaseAsync()
    {
        var admin = await GetConnectionStringAsync();
        var name = "patchbay_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"create database {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    public async Task DropDatabaseAsync(string databaseConnectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(databaseConnectionString).Database;
        await using var connection = new NpgsqlConnection(await GetConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"drop database if exists {name} with (force)", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (folder is not null) StopCluster(folder);
        gate.Dispose();
        await Task.CompletedTask;
    }
}

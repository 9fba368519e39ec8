namespace Patchbay.Tests.Infrastructure;

// A SQLite database in a folder of its own, for tests that start the server as a child process (the crash tests);
// the PostgreSQL side uses PostgresServer.CreateDatabaseAsync / DropDatabaseAsync.
public sealed class SqliteScratchDatabase
{
    string? folder;

    public Task<(string Provider, string ConnectionString)> CreateAsync()
    {
        folder = Path.Combine(Path.GetTempPath(), "patchbay-crash-db", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return Task.FromResult(("Sqlite", $"Data Source={Path.Combine(folder, "patchbay.db")}"));
    }

    public Task DropAsync()
    {
        try { if (folder is not null) Directory.Delete(folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}

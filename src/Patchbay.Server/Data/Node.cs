namespace Patchbay.Data;

// This server as one of the nodes sharing the database. Its id prefixes the owner of every lease its workers take,
// so a node that stops, or is found dead, hands all of its work back with one statement per queue
// (LeasedWork.ReleaseNodeAsync). Stopping is signalled the moment the host begins to stop (SIGTERM): workers claim
// nothing after it.
public sealed class Node : IDisposable
{
    readonly CancellationTokenSource stopping = new();
    readonly CancellationTokenRegistration registration;

    public Node(IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        registration = lifetime.ApplicationStopping.Register(BeginStopping);
    }

    public string Id { get; } = $"{System.Environment.MachineName}/{System.Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..12]}";

    public DateTimeOffset StartedAt { get; set; }

    // The lease owner of one of this node's workers.
    public string Owner(string worker) => OwnerPrefix(Id) + worker;

    public static string OwnerPrefix(string nodeId) => nodeId + "/";

    public bool IsStopping => stopping.IsCancellationRequested;

    public CancellationToken Stopping => stopping.Token;

    public void BeginStopping()
    {
        try { stopping.Cancel(); }
        catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        registration.Dispose();
        stopping.Dispose();
    }
}

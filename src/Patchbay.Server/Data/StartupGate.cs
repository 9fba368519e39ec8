namespace Patchbay.Data;

// Opens once start-up has brought the database and the shared secrets up (Operations/Startup). The server binds its
// addresses before that work runs, so in between requests are answered 503 and background work waits here.
public sealed class StartupGate
{
    readonly TaskCompletionSource opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsOpen => opened.Task.IsCompleted;

    public void Open() => opened.TrySetResult();

    // True once open; false if the wait was cancelled (the server stopped, or never finished starting).
    public async Task<bool> WaitAsync(CancellationToken ct)
    {
        try
        {
            await opened.Task.WaitAsync(ct);
            return true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
    }
}

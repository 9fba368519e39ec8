using Xunit;

namespace Patchbay.Tests.Webhooks;

// A test class with its own webhook receiver on loopback, started before each test and stopped after it; each test
// listens on paths of its own (Path()).
public abstract class ReceiverTests : IAsyncLifetime
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected WebhookReceiver Receiver { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Receiver = await WebhookReceiver.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await Receiver.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected static string Path() => "/" + Guid.NewGuid().ToString("N")[..10];
}

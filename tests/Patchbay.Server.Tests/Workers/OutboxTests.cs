using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Patchbay.Data;
using Patchbay.Tests.Infrastructure;
using Patchbay.Workers;
using Xunit;

namespace Patchbay.Tests.Workers;

// The transactional outbox on a real database: a message exists exactly when the transaction that wrote it
// committed, is delivered once to its topic's handler, retried when the handler fails, and claimed by one worker at
// a time. Executions announce their end through it, in the checkpoint's transaction.
public abstract class OutboxTests(PatchbayApp app)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    sealed class Recorder(string topic, int failFirst = 0) : IOutboxHandler
    {
        int failures = failFirst;

        public string Topic => topic;
        public ConcurrentQueue<OutboxMessage> Received { get; } = new();

        public Task HandleAsync(OutboxMessage message, CancellationToken ct)
        {
            if (Interlocked.Decrement(ref failures) >= 0) throw new InvalidOperationException("handler down");
            Received.Enqueue(message);
            return Task.CompletedTask;
        }
    }

    OutboxWorker Worker(Outbox outbox) =>
        new(app.Db, outbox, app.Time, Options.Create(new WorkerOptions()), app.Services.GetRequiredService<StartupGate>(),
            app.Services.GetRequiredService<Patchbay.Data.Node>(), NullLogger<OutboxWorker>.Instance);

    static string Topic() => "test." + Guid.NewGuid().ToString("N");

    static OutboxMessage Message(string topic, string payload) => OutboxMessage.Of(topic, "org", "test", new { payload });

    [Fact]
    public async Task CommittedMessage_IsDeliveredOnce_AndRemoved()
    {
        var handler = new Recorder(Topic());
        var outbox = new Outbox([handler]);
        Assert.True(await app.Db.InTransactionAsync(tx => outbox.EnqueueAsync(tx, Message(handler.Topic, "one"), app.Time.GetUtcNow(), Ct), Ct));
        var worker = Worker(outbox);
        await worker.RunOnceAsync(Ct);
        await worker.RunOnceAsync(Ct);
        var message = Assert.Single(handler.Received);
        Assert.Contains("\"one\"", message.Payload, StringComparison.Ordinal);
        Assert.Equal(0, await app.Db.ExecuteScalarAsync<long>("select count(*) from outbox where topic = @Topic", new { handler.Topic }, Ct));
    }

    [Fact]
    public async Task RolledBackTransaction_LeavesNoMessage()
    {
        var handler = new Recorder(Topic());
        var outbox = new Outbox([handler]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => app.Db.InTransactionAsync<bool>(async tx =>
        {
            await outbox.EnqueueAsync(tx, Message(handler.Topic, "never"), app.Time.GetUtcNow(), Ct);
            throw new InvalidOperationException("the change failed");
        }, Ct));
        await Worker(outbox).RunOnceAsync(Ct);
        Assert.Empty(handler.Received);
        Assert.Equal(0, await app.Db.ExecuteScalarAsync<long>("select count(*) from outbox where topic = @Topic", new { handler.Topic }, Ct));
    }

    [Fact]
    public async Task TopicWithoutHandler_WritesNothing()
    {
        var outbox = new Outbox([]);
        var topic = Topic();
        Assert.False(await app.Db.InTransactionAsync(tx => outbox.EnqueueAsync(tx, Message(topic, "x"), app.Time.GetUtcNow(), Ct), Ct));
        Assert.Equal(0, await app.Db.ExecuteScalarAsync<long>("select count(*) from outbox where topic = @topic", new { topic }, Ct));
    }

    [Fact]
    public async Task FailingHandler_IsRetriedLater_ThenDelivered()
    {
        var handler = new Recorder(Topic(), failFirst: 1);
        var outbox = new Outbox([handler]);
        await app.Db.InTransactionAsync(tx => outbox.EnqueueAsync(tx, Message(handler.Topic, "retry"), app.Time.GetUtcNow(), Ct), Ct);
        var worker = Worker(outbox);
        await worker.RunOnceAsync(Ct); // fails: pushed back 30 s
        await worker.RunOnceAsync(Ct); // not due yet
        Assert.Empty(handler.Received);
        Assert.Equal(1, await app.Db.ExecuteScalarAsync<long>("select attempts from outbox where topic = @Topic", new { handler.Topic }, Ct));
        app.Time.Advance(TimeSpan.FromSeconds(31));
        await worker.RunOnceAsync(Ct);
        Assert.Single(handler.Received);
    }

    [Fact]
    public async Task TwoWorkersAtOnce_DeliverEachMessageOnce()
    {
        var handler = new Recorder(Topic());
        var outbox = new Outbox([handler]);
        for (var i = 0; i < 120; i++)
            await app.Db.InTransactionAsync(tx => outbox.EnqueueAsync(tx, Message(handler.Topic, "m" + i), app.Time.GetUtcNow(), Ct), Ct);
        var a = Worker(outbox);
        var b = Worker(outbox);
        async Task Drain(OutboxWorker w) { while (await w.RunOnceAsync(Ct)) { } }
        await Task.WhenAll(Drain(a), Drain(b), Drain(a), Drain(b));
        await Drain(a);
        Assert.Equal(120, handler.Received.Count);
        Assert.Equal(120, handler.Received.Select(m => m.Id).Distinct().Count());
    }

    [Fact]
    public async Task FinishedExecution_IsAnnounced_InItsCheckpointsTransaction()
    {
        var handler = new Recorder(Patchbay.Executions.ExecutionTopics.Finished);
        await using var server = app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IOutboxHandler>(handler)));
        var (_, key, _) = await app.CreateOrgAsync("Outbox Org");
        var account = await app.CreateLinkedAccountAsync(apiKey: key);
        var client = server.CreateClient();
        client.DefaultRequestHeaders.Add("x-api-key", key);
        client.DefaultRequestHeaders.Add("linked_account_id", account);

        static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
        var created = await ApiAssert.OkAsync(await client.PostAsync("/api/v2/public/workflow", Json("""{"name":"Announced"}"""), Ct));
        var draft = created.GetProperty("workflow").Str("_id");
        await ApiAssert.OkAsync(await client.PutAsync($"/api/v2/public/workflow/{draft}", Json("""
            {"nodes":[{"id":"start","type":"start","name":"start","data":{}},{"id":"out","type":"response","name":"out","data":{"body":{"ok":true}}}],
             "edges":[{"id":"e","source":"start","target":"out"}]}
            """), Ct));
        var version = (await ApiAssert.OkAsync(await client.PutAsync($"/api/v2/public/workflow/{draft}/publish", Json("""{"published":true}"""), Ct))).Str("_id");
        using var execute = new HttpRequestMessage(HttpMethod.Post, $"/api/v2/public/workflow/{version}/execute") { Content = Json("{}") };
        execute.Headers.Add("slug", "custom");
        execute.Headers.Add("sync_execution", "true");
        var result = await ApiAssert.OkAsync(await client.SendAsync(execute, Ct));
        var executionId = result.Str("execution_id");

        var worker = server.Services.GetRequiredService<OutboxWorker>();
        while (await worker.RunOnceAsync(Ct)) { }
        var message = Assert.Single(handler.Received, m => m.Payload.Contains(executionId, StringComparison.Ordinal));
        Assert.Contains("\"status\":\"COMPLETED\"", message.Payload, StringComparison.Ordinal);
        Assert.Contains($"\"workflow_id\":\"{draft}\"", message.Payload, StringComparison.Ordinal);
    }
}

public sealed class SqliteOutboxTests(SqliteApp app) : OutboxTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresOutboxTests(PostgresApp app) : OutboxTests(app), IClassFixture<PostgresApp>;

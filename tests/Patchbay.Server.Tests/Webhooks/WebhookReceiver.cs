using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Patchbay.Tests.Webhooks;

// A webhook receiver on loopback: records every request (path, method, headers, raw body, arrival time on the given
// clock) and answers as the test tells it per path (default: 200 "ok").
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string Path, string Method, IHeaderDictionary Headers, string Body, DateTimeOffset At)
    {
        public string Header(string name) => Headers[name].ToString();
    }

    // What to answer to the nth request (0-based) of a path.
    public delegate Task Answer(int n, HttpContext http);

    readonly WebApplication app;
    readonly ConcurrentDictionary<string, Answer> answers = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, int> counts = new(StringComparer.Ordinal);

    public ConcurrentQueue<Received> Requests { get; } = new();
    public string BaseUrl { get; private set; } = "";
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public WebhookReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseSetting("urls", "http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxConcurrentConnections = 10_000);
        app = builder.Build();
        app.Run(async http =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync(http.RequestAborted);
            var path = http.Request.Path.Value ?? "/";
            var headers = new HeaderDictionary();
            foreach (var (k, v) in http.Request.Headers) headers[k] = v;
            Requests.Enqueue(new Received(path, http.Request.Method, headers, body, Clock.GetUtcNow()));
            var n = counts.AddOrUpdate(path, 0, (_, c) => c + 1);
            if (answers.TryGetValue(path, out var answer)) await answer(n, http);
            else await http.Response.WriteAsync("ok", http.RequestAborted);
        });
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        await receiver.app.StartAsync();
        receiver.BaseUrl = receiver.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return receiver;
    }

    public string Url(string path) => BaseUrl + path;

    public void On(string path, Answer answer) => answers[path] = answer;

    public IReadOnlyList<Received> At(string path) => Requests.Where(r => r.Path == path).ToList();

    public ValueTask DisposeAsync() => app.DisposeAsync();
}

using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Patchbay.Apps;
using Patchbay.Tests.Infrastructure;

namespace Patchbay.Tests.Actions;

// One provider API on loopback for every catalog app, recording each request exactly as it arrived (method, path,
// query, headers, body) and answering what the test set (by default 200 with a small JSON object). Each server that
// uses it gets its own path prefix, so servers running in parallel never see each other's requests.
public sealed class RecordingProvider
{
    public sealed record Recorded(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body, string? ContentType);

    public sealed record Reply(int Status, string Body, string ContentType = "application/json");

    static readonly Lazy<RecordingProvider> Instance = new(() => new RecordingProvider());
    public static RecordingProvider Shared => Instance.Value;

    readonly ConcurrentDictionary<string, ConcurrentQueue<Recorded>> requests = new();
    readonly ConcurrentDictionary<string, Reply> answers = new();
    readonly WebApplication app;

    public string BaseUrl { get; }

    RecordingProvider()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseSetting("urls", "http://127.0.0.1:0");
        app = builder.Build();
        app.Run(async http =>
        {
            // As sent, not as ASP.NET Core decodes it.
            var target = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget;
            var path = target.Split('?', 2)[0];
            var query = target.Contains('?', StringComparison.Ordinal) ? "?" + target.Split('?', 2)[1] : "";
            var prefix = path.Split('/', 3) is [_, var first, ..] ? first : "";
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync(http.RequestAborted);
            var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            requests.GetOrAdd(prefix, _ => new()).Enqueue(new Recorded(http.Request.Method, path, query, headers, body, http.Request.ContentType));
            var answer = answers.GetValueOrDefault(prefix) ?? new Reply(200, """{"id":"fake_1","ok":true}""");
            http.Response.StatusCode = answer.Status;
            if (answer.Body.Length > 0)
            {
                http.Response.ContentType = answer.ContentType;
                await http.Response.WriteAsync(answer.Body, http.RequestAborted);
            }
        });
        app.StartAsync().GetAwaiter().GetResult();
        BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public IReadOnlyList<Recorded> Take(string prefix) =>
        requests.TryRemove(prefix, out var queue) ? [.. queue] : [];

    public void Answer(string prefix, Reply? answer)
    {
        if (answer is null) answers.TryRemove(prefix, out _);
        else answers[prefix] = answer;
    }
}

// A server whose catalog apps all send their API traffic to the recording provider, under a prefix of its own
// (setting Tests:RecordingPrefix): {provider}/{prefix}/{slug}/… stands for the app's base URL.
public sealed class RecordingProviderOptions : IAppOptions
{
    public const string PrefixSetting = "Tests:RecordingPrefix";

    public void Configure(AppSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var prefix = "p" + Guid.NewGuid().ToString("N")[..12];
        setup.Settings[PrefixSetting] = prefix;
        setup.Settings["Patchbay:Egress:AllowedNetworks:0"] = "127.0.0.0/8";
        setup.Settings["Patchbay:Actions:Timeout"] = "00:00:20";
        setup.Settings["Patchbay:Apps:MaxResponseBytes"] = "65536";
        foreach (var (_, manifest) in AppCatalog.LoadEmbedded())
            setup.Settings[$"Patchbay:Apps:Overrides:{manifest.Slug}:BaseUrl"] = $"{RecordingProvider.Shared.BaseUrl}/{prefix}/{manifest.Slug}";
        // Nothing listens there: a provider that does not answer.
        setup.Settings["Patchbay:Apps:Overrides:datadog:BaseUrl"] = $"http://127.0.0.1:{PatchbayApp.ClosedPort}";
    }
}

using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace ZProxy.Testing;

/// <summary>
/// A scripted origin: real Kestrel on 127.0.0.1 port 0 whose single handler the test supplies.
/// It records every request it receives, so tests can assert what reached the origin.
/// </summary>
public sealed class TestOrigin : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();

    private TestOrigin(WebApplication app) => _app = app;

    /// <summary>The origin's base address, such as <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>How many requests reached the origin.</summary>
    public int RequestCount => _received.Count;

    /// <summary>Every request that reached the origin, in arrival order.</summary>
    public IReadOnlyList<ReceivedRequest> Received => [.. _received];

    /// <summary>Starts an origin that answers every request with <paramref name="handler"/>.</summary>
    public static async Task<TestOrigin> StartAsync(Func<HttpContext, Task> handler, ILoggerProvider? logger = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (logger is not null)
        {
            builder.Logging.AddProvider(logger);
        }

        var app = builder.Build();
        var origin = new TestOrigin(app);
        app.Run(async context =>
        {
            origin._received.Enqueue(new ReceivedRequest(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            await handler(context);
        });
        await app.StartAsync();
        origin.BaseAddress = new Uri(app.Urls.First() + "/");
        return origin;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>What an origin saw of one request.</summary>
/// <param name="Method">The request method.</param>
/// <param name="PathAndQuery">The path and query string.</param>
/// <param name="Headers">The request headers, case-insensitive, multiple values comma-joined.</param>
public sealed record ReceivedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The value of header <paramref name="name"/>, or null when absent.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using ZProxy.Native;
using ZProxy.PageBlocks;
using ZProxy.Transport.Connections;
using ZProxy.Transport.Listening;
using ZProxy.Transport.Metrics;

namespace ZProxy.Transport.Tests.Infrastructure;

/// <summary>
/// A real Kestrel WebApplication on 127.0.0.1:0, with ZProxy's transport or Kestrel's own.
/// <c>/hit/{name}</c> serves a registered sealed body through <see cref="HitBodySender"/>
/// (query: <c>status</c>, <c>range=a-b</c>, <c>chunked=1</c>, <c>parts=n</c>);
/// <c>/plain/{size}</c> writes an ordinary body with Content-Length, <c>/plainchunked/{size}</c>
/// one without.
/// </summary>
internal sealed class TransportTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TransportTestHost(WebApplication app, ErrorLogCollector errors)
    {
        _app = app;
        Errors = errors;
        var meterFactory = app.Services.GetRequiredService<IMeterFactory>();
        BodyBytes = new MetricCollector<long>(meterFactory, HitBodyMetrics.MeterName, HitBodyMetrics.BodyBytesName);
        Fallbacks = new MetricCollector<long>(meterFactory, HitBodyMetrics.MeterName, HitBodyMetrics.CopyFallbacksName);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Port = new Uri(address).Port;
    }

    public ConcurrentDictionary<string, SealedTestMemory> Bodies { get; } = new();

    public ConcurrentQueue<HitBodySendResult> Results { get; } = new();

    private readonly SemaphoreSlim _resultAdded = new(0);

    /// <summary>
    /// Waits until <paramref name="count"/> hit handlers have returned: the client can read a
    /// body before the server's SendAsync returns and records its metrics.
    /// </summary>
    public async Task WaitForResultsAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Results.Count < count)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero || !await _resultAdded.WaitAsync(remaining))
            {
                throw new TimeoutException($"Only {Results.Count} of {count} hit handlers returned.");
            }
        }
    }

    public ErrorLogCollector Errors { get; }

    /// <summary>Set when <c>/wait</c> starts, and when its RequestAborted token fires.</summary>
    public TaskCompletionSource WaitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource WaitAborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MetricCollector<long> BodyBytes { get; }

    public MetricCollector<long> Fallbacks { get; }

    public int Port { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Bytes sent per system call by ZProxy's transport (null on Kestrel's own).</summary>
    public SendCounters? Counters => _app.Services.GetServices<IConnectionListenerFactory>().OfType<ZProxyTransportFactory>().SingleOrDefault()?.Counters;

    public static async Task<TransportTestHost> StartAsync(
        bool zproxyTransport = true,
        Action<ZProxyTransportOptions>? transport = null,
        Action<KestrelServerOptions>? kestrel = null,
        X509Certificate2? certificate = null,
        HttpProtocols protocols = HttpProtocols.Http1AndHttp2)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        var errors = new ErrorLogCollector();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(errors);
        builder.WebHost.UseKestrel(options =>
        {
            options.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = protocols;
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
            kestrel?.Invoke(options);
        });
        if (zproxyTransport)
        {
            builder.WebHost.UseZProxyTransport(transport);
        }
        else
        {
            builder.Services.AddZProxyHitBody();
        }

        var app = builder.Build();
        TransportTestHost? host = null;
        app.MapMethods("/hit/{name}", ["GET", "HEAD"], (HttpContext context, string name) => host!.ServeHitAsync(context, name));
        app.MapGet("/plain/{size:int}", async (HttpContext context, int size) =>
        {
            context.Response.ContentLength = size;
            await WritePatternAsync(context, size);
        });
        app.MapGet("/plainchunked/{size:int}", (HttpContext context, int size) => WritePatternAsync(context, size));
        app.MapGet("/connection", (HttpContext context) => context.Connection.Id);
        app.MapGet("/congestion", (HttpContext context) =>
            context.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket ? Interop.GetCongestionControl(socket) ?? "unknown" : "no socket");
        app.MapGet("/wait", async (HttpContext context) =>
        {
            host!.WaitStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                host.WaitAborted.TrySetResult();
            }
        });

        await app.StartAsync();
        host = new TransportTestHost(app, errors);
        return host;
    }

    public SealedTestMemory AddBody(string name, int length, bool memfd = false)
    {
        var body = SealedTestMemory.Create(length, seed: name.GetHashCode(StringComparison.Ordinal), memfd);
        Bodies[name] = body;
        return body;
    }

    public long SumBodyBytes(string path)
        => BodyBytes.GetMeasurementSnapshot().Where(m => Equals(m.Tags["path"], path)).Sum(m => m.Value);

    public long CountFallbacks(string? reason = null)
        => Fallbacks.GetMeasurementSnapshot().Where(m => reason is null || Equals(m.Tags["reason"], reason)).Sum(m => m.Value);

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public static byte[] Pattern(int size)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            bytes[i] = (byte)(i * 7 + (i >> 8));
        }

        return bytes;
    }

    private static async Task WritePatternAsync(HttpContext context, int size)
    {
        var bytes = Pattern(size);
        for (var offset = 0; offset < size; offset += 4096)
        {
            await context.Response.Body.WriteAsync(bytes.AsMemory(offset, Math.Min(4096, size - offset)));
        }
    }

    private async Task ServeHitAsync(HttpContext context, string name)
    {
        var body = Bodies[name];
        var query = context.Request.Query;
        var parts = query.TryGetValue("parts", out var p) ? int.Parse(p!, System.Globalization.CultureInfo.InvariantCulture) : 1;
        IReadOnlyList<SealedSegment> segments = body.Segments(parts);

        // The lease the store would hand the cache middleware for the duration of the call.
        body.Retain();
        try
        {
            context.Response.ContentType = "application/octet-stream";
            context.Response.Headers["X-Connection"] = context.Connection.Id;
            if (query.TryGetValue("status", out var status))
            {
                context.Response.StatusCode = int.Parse(status!, System.Globalization.CultureInfo.InvariantCulture);
            }

            if (query.TryGetValue("range", out var range))
            {
                var bounds = range.ToString().Split('-');
                var first = long.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture);
                var last = long.Parse(bounds[1], System.Globalization.CultureInfo.InvariantCulture);
                segments = HitBodySender.Slice(segments, first, last - first + 1);
                context.Response.StatusCode = StatusCodes.Status206PartialContent;
                context.Response.Headers.ContentRange = $"bytes {first}-{last}/{body.Length}";
            }

            if (query.ContainsKey("wrap"))
            {
                // What a body-rewriting middleware does: a response writer that is not Kestrel's.
                context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(context.Response.Body));
            }

            if (query.ContainsKey("chunked"))
            {
                // Started without Content-Length: Kestrel chunks the body itself.
                await context.Response.StartAsync();
            }

            var result = await context.Response.SendSealedBodyAsync(segments, body, context.RequestAborted);
            Results.Enqueue(result);
            _resultAdded.Release();
        }
        finally
        {
            body.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        BodyBytes.Dispose();
        Fallbacks.Dispose();
        foreach (var body in Bodies.Values)
        {
            body.Dispose();
        }
    }
}

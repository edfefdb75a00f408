using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using ZProxy.PageBlocks;
using ZProxy.Proxy.Caching;

namespace ZProxy.Host.Admin;

/// <summary>
/// Runs the admin listener as a small server of its own, so nothing on it (metrics, cache
/// administration) can ever be reached through the public port or shadowed by a proxy route.
/// </summary>
internal sealed class AdminEndpointService(
    IOptions<AdminOptions> options,
    MeterProvider meterProvider,
    HttpCache cache,
    PageBlockStore store,
    IOptionsMonitor<CacheOptions> cacheOptions,
    ILoggerFactory loggerFactory)
    : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The addresses the admin listener is bound to, once started.</summary>
    public IReadOnlyCollection<string> Addresses => _app?.Urls.ToArray() ?? [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder();
        // Only its own settings: never the public listener's URLs from appsettings.json or ASPNETCORE_URLS.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.WebHost.UseUrls(settings.Url);
        builder.Services.AddRouting();
        builder.Services.AddSingleton(store);
        EmbeddedServer.Configure(builder, loggerFactory);

        var app = builder.Build();
        app.MapPrometheusScrapingEndpoint(settings.MetricsPath, meterProvider, configureBranchedPipeline: null, optionsName: null);
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        CacheAdminEndpoints.Map(app, settings, cache, cacheOptions);
        await app.StartAsync(cancellationToken);
        _app = app;
        HostLog.AdminListening(loggerFactory.CreateLogger<AdminEndpointService>(), string.Join(", ", app.Urls), settings.MetricsPath);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
    }
}

using Microsoft.Extensions.Options;
using ZProxy.DemoOrigin;

namespace ZProxy.Host.DemoOrigin;

/// <summary>Starts and stops the bundled demo origin with ZProxy when it is enabled.</summary>
internal sealed class DemoOriginService(IOptions<DemoOriginOptions> options, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The addresses the demo origin is bound to, once started.</summary>
    public IReadOnlyCollection<string> Addresses => _app?.Urls.ToArray() ?? [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        var app = DemoOriginApp.Build(settings.Url, builder => EmbeddedServer.Configure(builder, loggerFactory));
        await app.StartAsync(cancellationToken);
        _app = app;
        HostLog.DemoOriginListening(loggerFactory.CreateLogger<DemoOriginService>(), string.Join(", ", app.Urls));
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

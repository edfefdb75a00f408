using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using ZProxy.Host;
using ZProxy.Host.Admin;
using ZProxy.Testing;

namespace ZProxy.FunctionalTests.Infrastructure;

/// <summary>
/// ZProxy built exactly as <c>Program</c> builds it, listening on 127.0.0.1 port 0 (public and admin),
/// with test settings layered over the defaults.
/// </summary>
internal sealed class ZProxyServer : IAsyncDisposable
{
    /// <summary>
    /// The transport every test runs on: the same sources compile into ZProxy.FunctionalTests (ZProxy's
    /// zero-copy transport) and ZProxy.FunctionalTests.KestrelTransport (Kestrel's sockets).
    /// </summary>
#if KESTREL_TRANSPORT
    public const string TransportMode = "Kestrel";
#else
    public const string TransportMode = "ZeroCopy";
#endif

    private readonly WebApplication _app;

    private ZProxyServer(WebApplication app, Uri baseAddress, Uri? adminAddress, CapturingLoggerProvider logs)
    {
        Logs = logs;
        _app = app;
        BaseAddress = baseAddress;
        AdminAddress = adminAddress;
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public Uri BaseAddress { get; }

    public Uri? AdminAddress { get; }

    /// <summary>A client for the public port: no redirects, no cookies, no proxy.</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Every warning and error the proxy logged.</summary>
    public CapturingLoggerProvider Logs { get; }

    public static Task<ZProxyServer> StartAsync(IDictionary<string, string?> settings, ITestOutputHelper? output = null) =>
        StartAsync(settings, output, configure: null);

    public static async Task<ZProxyServer> StartAsync(
        IDictionary<string, string?> settings,
        ITestOutputHelper? output,
        Action<WebApplicationBuilder>? configure)
    {
        var logs = new CapturingLoggerProvider();
        var builder = ZProxyApplication.CreateBuilder(["--urls", "http://127.0.0.1:0"], b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ZProxy:Admin:Url"] = "http://127.0.0.1:0",
                ["ZProxy:DemoOrigin:Enabled"] = "false",
                ["ZProxy:Transport:Mode"] = TransportMode,
            });
            b.Configuration.AddInMemoryCollection(settings);
            configure?.Invoke(b);
            b.Logging.ClearProviders();
            b.Logging.AddProvider(logs);
            if (output is not null)
            {
                b.Logging.AddProvider(new XunitLoggerProvider(output));
            }
        });

        var app = ZProxyApplication.Build(builder);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var admin = app.Services.GetRequiredService<AdminEndpointService>().Addresses.FirstOrDefault();
        return new ZProxyServer(app, new Uri(app.Urls.First() + "/"), admin is null ? null : new Uri(admin + "/"), logs);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}

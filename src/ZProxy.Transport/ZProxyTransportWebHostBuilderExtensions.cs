using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ZProxy.Transport.Listening;

namespace ZProxy.Transport;

/// <summary>Registers ZProxy's transport with Kestrel.</summary>
public static class ZProxyTransportWebHostBuilderExtensions
{
    /// <summary>
    /// Makes Kestrel accept IP connections through ZProxy's transport (other endpoint kinds keep
    /// Kestrel's socket transport) and adds the <see cref="HitBodySender"/>.
    /// </summary>
    /// <remarks>Call after <c>UseKestrel</c> (WebApplication's builder already did): Kestrel tries
    /// the most recently registered listener factory first.</remarks>
    public static IWebHostBuilder UseZProxyTransport(this IWebHostBuilder builder, Action<ZProxyTransportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureServices(services =>
        {
            // Appended (once) after UseKestrel's socket factory: Kestrel tries the last one first.
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnectionListenerFactory, ZProxyTransportFactory>());
            var options = services.AddOptions<ZProxyTransportOptions>();
            if (configure is not null)
            {
                options.Configure(configure);
            }

            options.ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ZProxyTransportOptions>, ZProxyTransportOptionsValidator>());
            services.AddZProxyHitBody();
        });
    }
}

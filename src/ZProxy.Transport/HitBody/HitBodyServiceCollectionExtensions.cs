using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ZProxy.Transport.Metrics;

namespace ZProxy.Transport;

/// <summary>Registers the hit body sender, for either transport.</summary>
public static class HitBodyServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="HitBodySender"/> (a singleton) and its metrics. With Kestrel's own socket
    /// transport every body is copied (reason <c>foreign_transport</c>); with ZProxy's transport,
    /// Content-Length HTTP/1.x bodies go by reference.
    /// </summary>
    public static IServiceCollection AddZProxyHitBody(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.TryAddSingleton<HitBodyMetrics>();
        services.TryAddSingleton(static sp => new HitBodySender(sp.GetRequiredService<HitBodyMetrics>()));
        return services;
    }
}

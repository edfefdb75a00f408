using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ZProxy.Proxy.Diagnostics;
using ZProxy.Proxy.Forwarding;

namespace ZProxy.Proxy;

/// <summary>Registers ZProxy's YARP integration and adds its steps to the proxy pipeline.</summary>
public static class ProxyServiceCollectionExtensions
{
    /// <summary>The configuration section holding YARP's routes and clusters.</summary>
    public const string ReverseProxySectionName = "ReverseProxy";

    /// <summary>
    /// Adds YARP with routes and clusters from the <c>ReverseProxy</c> section (reloaded when the
    /// configuration changes) and ZProxy's forwarding behaviour from <c>ZProxy:Forwarding</c>.
    /// </summary>
    public static IReverseProxyBuilder AddZProxyForwarding(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ForwardingOptions>()
            .Bind(configuration.GetSection(ForwardingOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ForwardingOptions>, ForwardingOptionsValidator>();
        services.AddSingleton<ProxyMetrics>();

        return services.AddReverseProxy()
            .LoadFromConfig(configuration.GetSection(ReverseProxySectionName))
            .AddTransforms<ForwardingTransformProvider>()
            .AddConfigFilter<DefaultTimeoutConfigFilter>();
    }

    /// <summary>Adds the step that answers forwarding failures with a short readable body.</summary>
    /// <remarks>Place it first in <c>MapReverseProxy</c> so it sees the outcome of every later step.</remarks>
    public static IReverseProxyApplicationBuilder UseZProxyErrorResponses(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.UseMiddleware<ForwarderErrorMiddleware>();
        return proxy;
    }
}

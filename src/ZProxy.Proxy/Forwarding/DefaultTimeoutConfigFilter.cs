using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace ZProxy.Proxy.Forwarding;

/// <summary>
/// Gives every cluster that sets no <c>HttpRequest:ActivityTimeout</c> ZProxy's
/// <see cref="ForwardingOptions.OriginTimeout"/>, instead of YARP's 100 seconds.
/// </summary>
internal sealed class DefaultTimeoutConfigFilter(IOptions<ForwardingOptions> options) : IProxyConfigFilter
{
    private readonly TimeSpan _timeout = options.Value.OriginTimeout;

    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        if (cluster.HttpRequest?.ActivityTimeout is not null)
        {
            return ValueTask.FromResult(cluster);
        }

        var request = (cluster.HttpRequest ?? new ForwarderRequestConfig()) with { ActivityTimeout = _timeout };
        return ValueTask.FromResult(cluster with { HttpRequest = request });
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);
}

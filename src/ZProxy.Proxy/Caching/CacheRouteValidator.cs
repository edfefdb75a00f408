using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms.Builder;

namespace ZProxy.Proxy.Caching;

/// <summary>Rejects, when the proxy configuration loads, a route whose <c>ZProxy.CachePolicy</c> names no configured policy.</summary>
internal sealed class CacheRouteValidator(IOptionsMonitor<CacheOptions> options) : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
        var metadata = context.Route.Metadata;
        if (metadata is null || !metadata.TryGetValue(CacheOptions.RoutePolicyMetadataKey, out var name)
            || string.IsNullOrEmpty(name) || string.Equals(name, "off", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (!options.CurrentValue.Policies.ContainsKey(name))
        {
            context.Errors.Add(new ArgumentException(
                $"Route '{context.Route.RouteId}' names cache policy '{name}', which is not defined under {CacheOptions.SectionName}:Policies."));
        }
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
    }
}

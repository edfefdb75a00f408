using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using ZProxy.Caching;

namespace ZProxy.Proxy.Caching;

/// <summary>
/// Picks the cache policy of a request's route: the policy the route's <c>ZProxy.CachePolicy</c>
/// metadata names, <c>off</c> for none, or the default. Reads the current options, so edits to
/// <c>appsettings.json</c> apply to the next request.
/// </summary>
internal sealed class CachePolicyResolver(IOptionsMonitor<CacheOptions> options)
{
    /// <summary>The policy of a route with caching off: safe methods bypass, unsafe ones still invalidate.</summary>
    public static CachePolicyOptions Off { get; } = new() { Enabled = false };

    public CacheOptions Options => options.CurrentValue;

    public CachePolicyOptions Resolve(HttpContext context)
    {
        var current = options.CurrentValue;
        if (!current.Enabled)
        {
            return Off;
        }

        var metadata = context.GetRouteModel().Config.Metadata;
        if (metadata is null || !metadata.TryGetValue(CacheOptions.RoutePolicyMetadataKey, out var name) || string.IsNullOrEmpty(name))
        {
            return current.Default;
        }

        if (string.Equals(name, "off", StringComparison.OrdinalIgnoreCase))
        {
            return Off;
        }

        // A route naming an unknown policy is rejected when the configuration loads (CacheRouteValidator);
        // if the policy vanished in a reload since, caching is off for the route rather than guessed.
        return current.Policies.TryGetValue(name, out var policy) ? policy : Off;
    }
}

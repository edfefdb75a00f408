using ZProxy.Caching;

namespace ZProxy.Proxy.Caching;

/// <summary>The HTTP cache in front of the routes. Bound from <c>ZProxy:Cache</c>; reloaded on change.</summary>
public sealed class CacheOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "ZProxy:Cache";

    /// <summary>The route metadata key naming the policy of a route (a key of <see cref="Policies"/>, or <c>off</c>).</summary>
    public const string RoutePolicyMetadataKey = "ZProxy.CachePolicy";

    /// <summary>Whether ZProxy caches at all. When false every request is forwarded (unsafe methods still invalidate nothing).</summary>
    /// <remarks>Default true.</remarks>
    public bool Enabled { get; set; } = true;

    /// <summary>The policy of routes that name none.</summary>
    /// <remarks>Defaults: RFC 9111 behaviour, heuristic freshness on (10 % of the Last-Modified age, at most a
    /// day), no default TTL, Set-Cookie responses not stored, tags from <c>Surrogate-Key</c>.</remarks>
    public CachePolicyOptions Default { get; set; } = new();

    /// <summary>Named policies that routes select with the <c>ZProxy.CachePolicy</c> route metadata.</summary>
    public Dictionary<string, CachePolicyOptions> Policies { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long a URL whose response was not storable is forwarded without request coalescing.</summary>
    /// <remarks>Default 2 minutes (Varnish's hit-for-miss default). Without it, every request for a private
    /// resource would queue behind the one before it.</remarks>
    public TimeSpan HitForMissTtl { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Whether the <c>PURGE</c> method is honoured on the public port.</summary>
    /// <remarks>Default false: purging is done on the admin listener. When true, only clients whose address
    /// is in <see cref="PurgeAllowList"/> may purge.</remarks>
    public bool PurgeOnPublicPort { get; set; }

    /// <summary>Client addresses or CIDR ranges allowed to use <c>PURGE</c> on the public port.</summary>
    /// <remarks>Empty (the default) means loopback only (<c>127.0.0.0/8</c>, <c>::1/128</c>). Configured entries
    /// replace that default rather than add to it.</remarks>
    public List<string> PurgeAllowList { get; set; } = [];

    /// <summary>All problems with these options, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        errors.AddRange(Default.Validate().Select(e => $"{SectionName}:Default: {e}"));
        foreach (var (name, policy) in Policies)
        {
            errors.AddRange(policy.Validate().Select(e => $"{SectionName}:Policies:{name}: {e}"));
        }

        if (HitForMissTtl < TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:HitForMissTtl must not be negative.");
        }

        foreach (var entry in PurgeAllowList)
        {
            if (!System.Net.IPNetwork.TryParse(entry, out _) && !System.Net.IPAddress.TryParse(entry, out _))
            {
                errors.Add($"{SectionName}:PurgeAllowList entry '{entry}' is not an address or CIDR range.");
            }
        }

        return errors;
    }
}

namespace ZProxy.Telemetry;

/// <summary>
/// The names under which ZProxy publishes metrics and traces. They are a contract with dashboards
/// and alerts: renaming one is a breaking change, not a refactor.
/// </summary>
public static class ZProxyTelemetry
{
    /// <summary>The single ActivitySource ZProxy starts spans from.</summary>
    public const string ActivitySourceName = "ZProxy";

    /// <summary>Meter for forwarding to origins (errors, retries).</summary>
    public const string ProxyMeterName = "ZProxy.Proxy";

    /// <summary>Meter for cache decisions.</summary>
    public const string CacheMeterName = "ZProxy.Cache";

    /// <summary>Meter for the pageblock body store.</summary>
    public const string StoreMeterName = "ZProxy.Store";

    /// <summary>Meter for the zero-copy transport.</summary>
    public const string TransportMeterName = "ZProxy.Transport";

    /// <summary>Every meter above, for exporters that subscribe by name.</summary>
    public static IReadOnlyList<string> MeterNames { get; } =
        [ProxyMeterName, CacheMeterName, StoreMeterName, TransportMeterName];
}

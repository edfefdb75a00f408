namespace ZProxy.LoadTests.Scenarios.Scenario;

/// <summary>The kinds of request a scenario mixes.</summary>
internal enum Operation
{
    /// <summary>GET of a Zipf-chosen key of the working set.</summary>
    Get,

    /// <summary>GET of a key never requested before.</summary>
    Miss,

    /// <summary>GET of a short-lived key: once stale, the proxy revalidates it with the origin.</summary>
    Revalidate,

    /// <summary>Purge of a Zipf-chosen key through the admin API.</summary>
    Purge,
}

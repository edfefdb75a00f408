namespace ZProxy.Benchmarks.Simulation;

/// <summary>A cache of unit-size objects, for comparing eviction policies on a trace.</summary>
public interface ICacheSimulator
{
    /// <summary>Requests <paramref name="key"/>; true on a hit. A miss inserts it, evicting if full.</summary>
    bool Access(int key);
}

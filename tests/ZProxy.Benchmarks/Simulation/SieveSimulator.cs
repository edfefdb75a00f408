using ZProxy.PageBlocks.Eviction;

namespace ZProxy.Benchmarks.Simulation;

/// <summary>The store's own <see cref="SieveList"/> (the code the store runs), over unit-size objects.</summary>
public sealed class SieveSimulator : ICacheSimulator
{
    private readonly int _capacity;
    private readonly Dictionary<int, KeyNode> _map;
    private readonly SieveList _sieve = new();

    public SieveSimulator(int capacity)
    {
        _capacity = capacity;
        _map = new Dictionary<int, KeyNode>(capacity);
    }

    public bool Access(int key)
    {
        if (_map.TryGetValue(key, out var node))
        {
            node.MarkVisited();
            return true;
        }

        if (_map.Count >= _capacity && _sieve.Evict() is KeyNode victim)
        {
            _map.Remove(victim.Key);
        }

        node = new KeyNode(key);
        _map[key] = node;
        _sieve.Insert(node);
        return false;
    }

    private sealed class KeyNode(int key) : SieveNode
    {
        public int Key { get; } = key;
    }
}

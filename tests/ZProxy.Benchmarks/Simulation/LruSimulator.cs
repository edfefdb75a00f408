namespace ZProxy.Benchmarks.Simulation;

/// <summary>Plain LRU, the baseline: a hit moves the object to the front, a miss evicts the back.</summary>
public sealed class LruSimulator : ICacheSimulator
{
    private readonly int _capacity;
    private readonly Dictionary<int, LinkedListNode<int>> _map;
    private readonly LinkedList<int> _list = new();

    public LruSimulator(int capacity)
    {
        _capacity = capacity;
        _map = new Dictionary<int, LinkedListNode<int>>(capacity);
    }

    public bool Access(int key)
    {
        if (_map.TryGetValue(key, out var node))
        {
            _list.Remove(node);
            _list.AddFirst(node);
            return true;
        }

        if (_map.Count >= _capacity)
        {
            var last = _list.Last!;
            _list.RemoveLast();
            _map.Remove(last.Value);
        }

        _map[key] = _list.AddFirst(key);
        return false;
    }
}

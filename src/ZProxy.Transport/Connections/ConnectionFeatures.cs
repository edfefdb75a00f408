using System.Collections;
using Microsoft.AspNetCore.Http.Features;

namespace ZProxy.Transport.Connections;

/// <summary>
/// A connection's features in one short array, searched in order. A connection carries about a
/// dozen (the transport's eight and the four Kestrel adds); with a <see cref="FeatureCollection"/>,
/// whose dictionary resizes as they arrive, a connection allocated 729 bytes more
/// (<c>HitAllocationBudgetTests</c>, a new connection per hit).
/// Like <see cref="FeatureCollection"/>, not thread-safe: Kestrel sets features before it serves
/// the connection's requests.
/// </summary>
internal sealed class ConnectionFeatures : IFeatureCollection
{
    private const int InitialCapacity = 16;

    private KeyValuePair<Type, object>[] _items = new KeyValuePair<Type, object>[InitialCapacity];
    private int _count;

    public bool IsReadOnly => false;

    public int Revision { get; private set; }

    public object? this[Type key]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(key);
            var index = IndexOf(key);
            return index >= 0 ? _items[index].Value : null;
        }

        set
        {
            ArgumentNullException.ThrowIfNull(key);
            var index = IndexOf(key);
            if (value is null)
            {
                if (index >= 0)
                {
                    _count--;
                    Array.Copy(_items, index + 1, _items, index, _count - index);
                    _items[_count] = default;
                }
            }
            else if (index >= 0)
            {
                _items[index] = new(key, value);
            }
            else
            {
                if (_count == _items.Length)
                {
                    Array.Resize(ref _items, _items.Length * 2);
                }

                _items[_count++] = new(key, value);
            }

            Revision++;
        }
    }

    public TFeature? Get<TFeature>() => this[typeof(TFeature)] is TFeature feature ? feature : default;

    public void Set<TFeature>(TFeature? instance) => this[typeof(TFeature)] = instance;

    public IEnumerator<KeyValuePair<Type, object>> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return _items[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(Type key)
    {
        var items = _items;
        for (var i = 0; i < _count; i++)
        {
            if (items[i].Key == key)
            {
                return i;
            }
        }

        return -1;
    }
}

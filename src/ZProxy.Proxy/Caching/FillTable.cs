using System.Collections.Concurrent;

namespace ZProxy.Proxy.Caching;

/// <summary>The fills in flight, by store key.</summary>
internal sealed class FillTable
{
    private readonly ConcurrentDictionary<string, Fill> _fills = new(StringComparer.Ordinal);

    /// <summary>Joins the fill for <paramref name="key"/>, or starts one (returns true: the caller leads it).</summary>
    public bool TryLead(string key, out Fill fill, bool sharesHeadWhenNotStoring = false)
    {
        var created = new Fill { SharesHeadWhenNotStoring = sharesHeadWhenNotStoring };
        fill = _fills.GetOrAdd(key, created);
        return ReferenceEquals(fill, created);
    }

    public void Remove(string key, Fill fill) => _fills.TryRemove(new KeyValuePair<string, Fill>(key, fill));

    public int Count => _fills.Count;
}

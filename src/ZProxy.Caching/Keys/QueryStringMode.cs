namespace ZProxy.Caching.Keys;

/// <summary>How the query component takes part in the cache key.</summary>
public enum QueryStringMode
{
    /// <summary>The query, minus any ignored parameters, in the order received (the RFC 9111 §4.1 default: the URI is the key).</summary>
    AsIs = 0,

    /// <summary>Parameters sorted (ordinal, stable), so <c>?b=2&amp;a=1</c> and <c>?a=1&amp;b=2</c> share one entry.</summary>
    Sorted,

    /// <summary>The query is left out of the key entirely.</summary>
    Ignore,
}

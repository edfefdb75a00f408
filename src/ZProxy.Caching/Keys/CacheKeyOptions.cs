namespace ZProxy.Caching.Keys;

/// <summary>Cache-key normalisation for a route.</summary>
public sealed class CacheKeyOptions
{
    /// <summary>How the query takes part in the key.</summary>
    /// <remarks>Default: <see cref="QueryStringMode.AsIs"/>. Anything else makes distinct target URIs share an entry, which is only correct when the origin ignores the difference.</remarks>
    public QueryStringMode QueryMode { get; set; } = QueryStringMode.AsIs;

    /// <summary>Query parameter names left out of the key (e.g. <c>utm_source</c>), compared ordinally and case-sensitively on the raw (still percent-encoded) name.</summary>
    /// <remarks>Default: empty.</remarks>
    public IList<string> IgnoredQueryParameters { get; set; } = [];
}

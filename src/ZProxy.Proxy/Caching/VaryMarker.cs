using ZProxy.Caching.Keys;

namespace ZProxy.Proxy.Caching;

/// <summary>
/// Stored under a URL's primary key when its responses carry <c>Vary</c>: says which request headers
/// select a variant, whose entries live under <c>primary + separator + generation + separator +
/// secondary key</c>. Kept in the store (as a zero-length body) so it is charged to the memory limit
/// and evicted like anything else.
/// </summary>
/// <remarks>
/// The generation ties the variants to this marker: when the marker goes (a purge, an invalidation,
/// eviction), its variants can never be found again, even after a new marker is stored for the URL,
/// so purging a URL is one removal instead of a search for its variants. The orphans hold memory
/// until eviction takes them, first in line as nothing visits them.
/// </remarks>
internal sealed class VaryMarker(VarySpec spec, string generation)
{
    private static long s_lastGeneration;

    public VarySpec Spec { get; } = spec;

    /// <summary>A token unique within this process, written into the keys of this marker's variants.</summary>
    public string Generation { get; } = generation;

    public static string NextGeneration() =>
        Interlocked.Increment(ref s_lastGeneration).ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="spec"/> nominates the same fields as this marker.</summary>
    public bool Matches(VarySpec spec) => Spec.IsStar == spec.IsStar && Spec.FieldNames.SequenceEqual(spec.FieldNames, StringComparer.Ordinal);
}

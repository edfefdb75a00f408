using ZProxy.Caching.Keys;

namespace ZProxy.Proxy.Caching;

/// <summary>
/// Stored under a URL's primary key when its responses carry <c>Vary</c>: says which request headers
/// select a variant, whose entries live under <c>primary + separator + generation + separator +
/// secondary key</c>. Kept in the store (as a zero-length body) so it is charged to the memory limit
/// and evicted like anything else.
/// </summary>
/// <remarks>
/// <para>The generation ties the variants to this marker: when the marker goes (a purge, an invalidation,
/// eviction), its variants can never be found again, even after a new marker is stored for the URL.</para>
/// <para>The marker also remembers the keys of the first <see cref="MaxTrackedVariants"/> variants stored
/// under it, so a purge (or a new marker for other fields) removes them with it and their memory is freed at
/// once, as Varnish frees an object's variants. Variants past that number, and those of a marker that was
/// evicted, stay until eviction takes them, first in line as nothing can visit them.</para>
/// </remarks>
internal sealed class VaryMarker(VarySpec spec, string generation)
{
    /// <summary>Enough for the usual content negotiation (encodings, languages); bounds the keys a hostile <c>Vary</c> could pile up (they are charged with the marker).</summary>
    public const int MaxTrackedVariants = 8;

    /// <summary>What the marker is charged in the store: itself and room for its tracked variant keys.</summary>
    public const int ChargedSize = 256 + (MaxTrackedVariants * 128);

    private static long s_lastGeneration;

    private readonly HashSet<string> _variantKeys = new(StringComparer.Ordinal);

    public VarySpec Spec { get; } = spec;

    /// <summary>A token unique within this process, written into the keys of this marker's variants.</summary>
    public string Generation { get; } = generation;

    public static string NextGeneration() =>
        Interlocked.Increment(ref s_lastGeneration).ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="spec"/> nominates the same fields as this marker.</summary>
    public bool Matches(VarySpec spec) => Spec.IsStar == spec.IsStar && Spec.FieldNames.SequenceEqual(spec.FieldNames, StringComparer.Ordinal);

    /// <summary>Remembers a variant key about to be stored under this marker (up to <see cref="MaxTrackedVariants"/>).</summary>
    public void Track(string variantKey)
    {
        lock (_variantKeys)
        {
            if (_variantKeys.Count < MaxTrackedVariants)
            {
                _variantKeys.Add(variantKey);
            }
        }
    }

    /// <summary>The tracked variant keys; some may no longer be stored (evicted, replaced, or never committed).</summary>
    public string[] TrackedVariants()
    {
        lock (_variantKeys)
        {
            return [.. _variantKeys];
        }
    }
}

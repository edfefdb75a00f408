using System.Text.RegularExpressions;
using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Keys;
using ZProxy.PageBlocks;

namespace ZProxy.Proxy.Caching;

/// <summary>
/// The cache's view of the pageblock store: URL and variant keys, the markers for <c>Vary</c> and
/// hit-for-miss, and invalidation (purge, ban, tags, soft purge). Everything it keeps lives in the
/// store, so it is charged to the memory limit and evicted by the store's policy.
/// </summary>
internal sealed class HttpCache(PageBlockStore store, TimeProvider time)
{
    /// <summary>Separates a URL's primary key from a variant's secondary key; cannot occur in a URL.</summary>
    private const char VariantSeparator = '\u001f';

    public PageBlockStore Store { get; } = store;

    public TimeProvider Time { get; } = time;

    /// <summary>
    /// Finds the stored response for a request whose primary key is in <paramref name="key"/>. Looks up by
    /// span: a hit allocates nothing. On a hit <paramref name="key"/> holds the key the response was found
    /// under (the primary key, or after it the variant's secondary key) and <see cref="CacheLookup.StoreKey"/>
    /// is null; otherwise the store key is returned as a string for the miss path. The caller disposes the
    /// returned lease.
    /// </summary>
    public CacheLookup Lookup(ref CacheKeyBuffer key, IDictionary<string, StringValues> requestHeaders)
    {
        if (!Store.TryLease(key.Key, out var lease))
        {
            return new CacheLookup { Result = CacheLookupResult.UriMiss, StoreKey = key.ToString() };
        }

        switch (lease.Metadata)
        {
            case CachedResponse response:
                return new CacheLookup { Result = CacheLookupResult.Found, Lease = lease, Response = response };

            case HitForMissMarker marker:
                lease.Dispose();
                return marker.Until > Time.GetUtcNow()
                    ? new CacheLookup { Result = CacheLookupResult.HitForMiss, StoreKey = key.ToString(), HitForMiss = marker }
                    : new CacheLookup { Result = CacheLookupResult.UriMiss, StoreKey = key.ToString() };

            case VaryMarker vary:
                lease.Dispose();
                var primaryLength = key.Length;
                key.Append(VariantSeparator);
                foreach (var c in vary.Generation)
                {
                    key.Append(c);
                }

                key.Append(VariantSeparator);
                if (!key.TryAppendSecondary(vary.Spec, requestHeaders))
                {
                    // Vary: * never matches (RFC 9111 §4.1).
                    key.Truncate(primaryLength);
                    return new CacheLookup { Result = CacheLookupResult.VaryMiss, StoreKey = key.ToString() };
                }

                if (Store.TryLease(key.Key, out var variantLease))
                {
                    if (variantLease.Metadata is CachedResponse variant)
                    {
                        return new CacheLookup { Result = CacheLookupResult.Found, Lease = variantLease, Response = variant };
                    }

                    variantLease.Dispose();
                }

                return new CacheLookup { Result = CacheLookupResult.VaryMiss, StoreKey = key.ToString() };

            default:
                lease.Dispose();
                return new CacheLookup { Result = CacheLookupResult.UriMiss, StoreKey = key.ToString() };
        }
    }

    /// <summary>
    /// The key a response is to be stored under: the URL key, or for a response that varies its
    /// variant key under the URL's current Vary marker, which is stored first if the URL has none
    /// for these fields. Null when the marker cannot be stored (the store is full).
    /// </summary>
    public string? PrepareStoreKey(CachedResponse response)
    {
        if (response.Policy.Vary.FieldNames.Count == 0 || response.Policy.SecondaryKey is not { } secondary)
        {
            return response.PrimaryKey;
        }

        var primaryKey = response.PrimaryKey;
        VaryMarker? marker = null;
        if (Store.TryLease(primaryKey, out var lease))
        {
            using (lease)
            {
                marker = lease.Metadata as VaryMarker;
            }
        }

        if (marker is null || !marker.Matches(response.Policy.Vary))
        {
            // A new generation: variants stored under an earlier marker are unreachable, so they go now.
            var previous = marker;
            marker = new VaryMarker(response.Policy.Vary, VaryMarker.NextGeneration());
            if (!PutMarker(primaryKey, marker, VaryMarker.ChargedSize))
            {
                return null;
            }

            RemoveVariants(previous);
        }

        var variantKey = VariantKey(primaryKey, marker.Generation, secondary);
        marker.Track(variantKey);
        return variantKey;
    }

    /// <summary>Records that the URL is not storable for a while.</summary>
    public void PutHitForMiss(string primaryKey, TimeSpan ttl, string reason)
    {
        if (ttl > TimeSpan.Zero)
        {
            PutMarker(primaryKey, new HitForMissMarker(Time.GetUtcNow() + ttl, reason), 128);
        }
    }

    /// <summary>
    /// Removes a URL and all its variants (purge, invalidation). Removing the URL's Vary marker makes
    /// every variant unreachable at once; the variants the marker tracked are removed too, so their memory
    /// is freed now rather than at eviction (see <see cref="VaryMarker"/>). Returns whether anything was
    /// stored for the URL.
    /// </summary>
    public bool Purge(string primaryKey)
    {
        VaryMarker? marker = null;
        if (Store.TryLease(primaryKey, out var lease))
        {
            using (lease)
            {
                marker = lease.Metadata as VaryMarker;
            }
        }

        var removed = Store.Remove(primaryKey);
        RemoveVariants(marker);
        return removed;
    }

    /// <summary>Marks a URL and its variants stale without removing them, so grace and stale-if-error still apply.</summary>
    public int SoftPurge(string primaryKey)
    {
        var prefix = primaryKey + VariantSeparator;
        return ApplyWhere(key => key == primaryKey || key.StartsWith(prefix, StringComparison.Ordinal), MarkStale);
    }

    /// <summary>Removes every entry whose URL key starts with <paramref name="prefix"/> (a ban).</summary>
    public int BanPrefix(string prefix) =>
        ApplyWhere(key => UrlPart(key).StartsWith(prefix, StringComparison.Ordinal), Remove);

    /// <summary>Removes every entry whose URL key matches <paramref name="pattern"/> (a ban).</summary>
    public int BanPattern(Regex pattern) => ApplyWhere(key => pattern.IsMatch(UrlPart(key)), Remove);

    /// <summary>Removes (or, when <paramref name="soft"/>, marks stale) every entry tagged <paramref name="tag"/>.</summary>
    public int PurgeTag(string tag, bool soft) => ApplyWhere(key => IsTagged(key, tag), soft ? MarkStale : Remove);

    /// <summary>Must equal the key <see cref="Lookup"/> writes: primary key, separator, generation, separator, secondary key.</summary>
    private static string VariantKey(string primaryKey, string generation, string secondaryKey) =>
        string.Concat([primaryKey, VariantSeparator.ToString(), generation, VariantSeparator.ToString(), secondaryKey]);

    private static ReadOnlySpan<char> UrlPart(string key)
    {
        var separator = key.IndexOf(VariantSeparator);
        return separator < 0 ? key : key.AsSpan(0, separator);
    }

    private bool PutMarker(string key, object marker, int size)
    {
        using var writer = Store.CreateWriter(0);
        return writer.TryCommit(key, marker, size);
    }

    /// <summary>Applies <paramref name="apply"/> to every stored key <paramref name="predicate"/> selects; counts the successes.</summary>
    private int ApplyWhere(Func<string, bool> predicate, Func<string, bool> apply)
    {
        var count = 0;
        foreach (var key in Store.SnapshotKeys())
        {
            if (predicate(key) && apply(key))
            {
                count++;
            }
        }

        return count;
    }

    private bool Remove(string key) => Store.Remove(key);

    private void RemoveVariants(VaryMarker? marker)
    {
        if (marker is null)
        {
            return;
        }

        foreach (var key in marker.TrackedVariants())
        {
            Store.Remove(key);
        }
    }

    private bool IsTagged(string key, string tag)
    {
        if (!Store.TryLease(key, out var lease))
        {
            return false;
        }

        using (lease)
        {
            return lease.Metadata is CachedResponse response && response.Tags.Contains(tag, StringComparer.Ordinal);
        }
    }

    private bool MarkStale(string key)
    {
        if (!Store.TryLease(key, out var lease))
        {
            return false;
        }

        using (lease)
        {
            return lease.Metadata is CachedResponse response
                && Store.TryReplaceMetadata(key, response.WithPolicy(response.Policy.MarkStale(), response.Headers), response.ApproximateSize, lease.Owner);
        }
    }
}

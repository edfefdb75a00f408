using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Freshness;
using ZProxy.Caching.Status;
using ZProxy.Caching.Storage;
using ZProxy.PageBlocks;

namespace ZProxy.Proxy.Caching;

/// <summary>
/// The mutable half of a cache entry, kept as the store object's metadata beside the sealed body:
/// status, headers and what the policy computed of them. Immutable once created; a 304 replaces it
/// with a freshened copy and leaves the body alone (RFC 9111 §4.3.4).
/// </summary>
internal sealed class CachedResponse(
    StoredResponseMetadata policy,
    Dictionary<string, StringValues> headers,
    IReadOnlyList<string> tags,
    string primaryKey)
{
    public StoredResponseMetadata Policy { get; } = policy;

    public int StatusCode => Policy.StatusCode;

    /// <summary>The stored header fields, case-insensitive; never mutated after creation.</summary>
    public Dictionary<string, StringValues> Headers { get; } = headers;

    public IReadOnlyList<string> Tags { get; } = tags;

    /// <summary>The URL key all variants of this response share (for purge and invalidation).</summary>
    public string PrimaryKey { get; } = primaryKey;

    /// <summary>Bytes charged to the store's memory limit for this metadata (an estimate of the managed size).</summary>
    public int ApproximateSize { get; } = Estimate(headers, tags, primaryKey);

    public CachedResponse WithPolicy(StoredResponseMetadata policy, Dictionary<string, StringValues> headers) =>
        new(policy, headers, Tags, PrimaryKey);

    // Hit-path memos. Races are benign: both sides compute equal immutable values.
    private HitStatus? _hitStatus;
    private AgeMemo? _hitAge;
    private SegmentList? _segments;

    /// <summary>
    /// The <c>Age</c> value at <paramref name="now"/> (RFC 9111 §5.1). Whole seconds past 299 are not among
    /// the runtime's cached number strings, so the value is kept per entry and formatted at most once a second.
    /// </summary>
    public string HitAge(DateTimeOffset now)
    {
        var age = Policy.CurrentAge(now);
        var seconds = age <= TimeSpan.Zero ? 0 : (long)age.TotalSeconds;
        var memo = Volatile.Read(ref _hitAge);
        if (memo is not null && memo.Seconds == seconds)
        {
            return memo.Value;
        }

        var value = AgeCalculator.FormatAge(age);
        Volatile.Write(ref _hitAge, new AgeMemo(seconds, value));
        return value;
    }

    /// <summary>
    /// The <c>Cache-Status</c> of a plain hit. It changes only when the whole-second ttl does, so it is
    /// formatted at most once a second per entry instead of on every hit.
    /// </summary>
    public string HitCacheStatus(string cacheName, TimeSpan timeToLive)
    {
        var seconds = (long)timeToLive.TotalSeconds;
        var memo = Volatile.Read(ref _hitStatus);
        if (memo is not null && memo.Seconds == seconds && ReferenceEquals(memo.CacheName, cacheName))
        {
            return memo.Value;
        }

        var value = CacheStatusFormatter.Format(cacheName, new CacheStatusEntry { Hit = true, TimeToLive = timeToLive });
        Volatile.Write(ref _hitStatus, new HitStatus(seconds, cacheName, value));
        return value;
    }

    /// <summary>
    /// The segments of the complete body behind <paramref name="lease"/>, listed once per body. The memo
    /// is keyed by the body's owner: the same metadata can sit beside two bodies for a moment (a small
    /// body moved into its size-class slot at commit, with a coalesced reader still on the old copy).
    /// </summary>
    public IReadOnlyList<SealedSegment> Segments(in BodyLease lease)
    {
        var owner = lease.Owner;
        if (Volatile.Read(ref _segments) is { } memo && ReferenceEquals(memo.Owner, owner))
        {
            return memo.Segments;
        }

        var list = new List<SealedSegment>(4);
        foreach (var segment in lease.Segments)
        {
            list.Add(segment);
        }

        SealedSegment[] segments = [.. list];
        Volatile.Write(ref _segments, new SegmentList(owner, segments));
        return segments;
    }

    private sealed record SegmentList(ISealedMemoryOwner Owner, SealedSegment[] Segments);

    private sealed record HitStatus(long Seconds, string CacheName, string Value);

    private sealed record AgeMemo(long Seconds, string Value);

    private static int Estimate(Dictionary<string, StringValues> headers, IReadOnlyList<string> tags, string primaryKey)
    {
        // Object headers and dictionary slots are about 64 bytes an entry; strings are 2 bytes a char.
        var size = 512 + (2 * primaryKey.Length);
        foreach (var (name, values) in headers)
        {
            size += 64 + (2 * name.Length);
            foreach (var value in values)
            {
                size += 24 + (2 * (value?.Length ?? 0));
            }
        }

        foreach (var tag in tags)
        {
            size += 24 + (2 * tag.Length);
        }

        return size;
    }
}

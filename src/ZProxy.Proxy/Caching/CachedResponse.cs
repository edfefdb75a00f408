using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Storage;

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

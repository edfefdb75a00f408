using ZProxy.Caching.Freshness;
using ZProxy.Caching.Headers;

namespace ZProxy.Caching.Storage;

/// <summary>The decision whether to store a response, its reason, and what to store.</summary>
public readonly record struct StorabilityResult
{
    /// <summary>True when the response should be stored.</summary>
    public bool Store { get; init; }

    /// <summary>Why.</summary>
    public StorabilityReason Reason { get; init; }

    /// <summary>The response's effective directives (targeted field or Cache-Control).</summary>
    public CacheControlDirectives Directives { get; init; }

    /// <summary>The freshness lifetime (computed only when the response got that far, else default).</summary>
    public FreshnessLifetime Freshness { get; init; }

    /// <summary>
    /// Response fields that must not be stored beyond the hop-by-hop set: fields named in
    /// <c>Connection</c> (RFC 9111 §3.1), in qualified <c>private</c> / <c>no-cache</c> (RFC 9111
    /// §5.2.2.7, §5.2.2.4), and <c>Set-Cookie</c> under <see cref="SetCookieHandling.StoreWithoutSetCookie"/>.
    /// </summary>
    public IReadOnlyList<string> OmittedFields { get; init; }

    /// <summary>True when the field <paramref name="name"/> belongs in the stored copy of the response.</summary>
    public bool ShouldStoreField(string name)
    {
        if (StoredFields.IsHopByHop(name))
        {
            return false;
        }

        var omitted = OmittedFields;
        if (omitted is null)
        {
            return true;
        }

        for (var i = 0; i < omitted.Count; i++)
        {
            if (string.Equals(omitted[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }
}

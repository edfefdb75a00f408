using ZProxy.Caching.Keys;

namespace ZProxy.Proxy.Caching;

/// <summary>
/// Stored under a URL's primary key when its responses carry <c>Vary</c>: says which request headers
/// select a variant, whose entries live under <c>primary + separator + secondary key</c>. Kept in the
/// store (as a zero-length body) so it is charged to the memory limit and evicted like anything else.
/// </summary>
internal sealed class VaryMarker(VarySpec spec)
{
    public VarySpec Spec { get; } = spec;
}

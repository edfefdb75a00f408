namespace ZProxy.Proxy.Caching;

/// <summary>
/// Stored under a URL's key when its response was not storable: until <see cref="Until"/>, requests for
/// it go straight to the origin without waiting behind one another (request coalescing would otherwise
/// serialise every request for a private resource).
/// </summary>
internal sealed class HitForMissMarker(DateTimeOffset until, string reason)
{
    public DateTimeOffset Until { get; } = until;

    public string Reason { get; } = reason;
}

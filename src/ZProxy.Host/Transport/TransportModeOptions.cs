namespace ZProxy.Host.Transport;

/// <summary>Which socket transport serves the public port. Bound from <c>ZProxy:Transport</c>; read once at start.</summary>
public sealed class TransportModeOptions
{
    /// <summary>The configuration section these options (and <c>ZProxyTransportOptions</c>) are bound from.</summary>
    public const string SectionName = "ZProxy:Transport";

    /// <summary><c>zerocopy</c>: ZProxy's own transport, hits sent from sealed memory without a copy;
    /// <c>kestrel</c>: Kestrel's socket transport, hit bodies copied.</summary>
    /// <remarks>Default <c>zerocopy</c> on Linux; elsewhere ZProxy always uses <c>kestrel</c>.</remarks>
    public TransportMode Mode { get; set; } = TransportMode.ZeroCopy;
}

/// <summary>The socket transports ZProxy can serve with.</summary>
public enum TransportMode
{
    /// <summary>ZProxy's own transport (Linux): gathered sendmsg of headers and sealed segments.</summary>
    ZeroCopy,

    /// <summary>Kestrel's own socket transport; cache hits are copied into its pipe.</summary>
    Kestrel,
}

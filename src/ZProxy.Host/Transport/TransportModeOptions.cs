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

    /// <summary>Where socket completions and requests run; see <see cref="TransportScheduling"/>.</summary>
    public TransportScheduling Scheduling { get; set; } = TransportScheduling.Inline;
}

/// <summary>Where the public port's socket completions and requests run (either transport).</summary>
public enum TransportScheduling
{
    /// <summary>
    /// Event-loop style, as Varnish's and nginx's workers: each of the runtime's socket event threads
    /// (one per CPU) runs the completions of its sockets and the requests they carry to their end, with
    /// no thread-pool hop. Sets <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> for the process
    /// (unless it is set already) and Kestrel's <c>UnsafePreferInlineScheduling</c> or ZProxy's own
    /// equivalent. Code that blocks holds up every connection of its event thread: ZProxy, YARP and
    /// ASP.NET Core do not block.
    /// </summary>
    Inline,

    /// <summary>.NET's default: socket completions and each request are dispatched to the thread pool.</summary>
    ThreadPool,
}

/// <summary>The socket transports ZProxy can serve with.</summary>
public enum TransportMode
{
    /// <summary>ZProxy's own transport (Linux): gathered sendmsg of headers and sealed segments.</summary>
    ZeroCopy,

    /// <summary>Kestrel's own socket transport; cache hits are copied into its pipe.</summary>
    Kestrel,
}

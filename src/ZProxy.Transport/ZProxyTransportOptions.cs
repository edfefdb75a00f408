namespace ZProxy.Transport;

/// <summary>
/// Options of ZProxy's Kestrel transport (<see cref="ZProxyTransportWebHostBuilderExtensions.UseZProxyTransport"/>).
/// </summary>
/// <remarks>Read once when the server starts; changing them later has no effect.</remarks>
public sealed class ZProxyTransportOptions
{
    /// <summary>The listen backlog passed to <c>listen(2)</c>.</summary>
    /// <remarks>Default 512, as Kestrel's socket transport.</remarks>
    public int Backlog { get; set; } = 512;

    /// <summary>Whether accepted sockets get <c>TCP_NODELAY</c>.</summary>
    /// <remarks>Default true, as Kestrel's socket transport.</remarks>
    public bool NoDelay { get; set; } = true;

    /// <summary>
    /// The TCP congestion control of accepted connections (Linux: <c>TCP_CONGESTION</c> on the listen
    /// socket, which accepted sockets inherit), for example <c>cubic</c> or <c>bbr</c>; null keeps the
    /// system default (<c>net.ipv4.tcp_congestion_control</c>). The algorithm must be available
    /// (<c>net.ipv4.tcp_available_congestion_control</c>), or binding fails.
    /// </summary>
    /// <remarks>Default null. As HAProxy's <c>cc</c> bind option: one listener can use an algorithm
    /// other than the machine's.</remarks>
    public string? CongestionControl { get; set; }

    /// <summary>
    /// Bytes received but not yet consumed by Kestrel above which the transport stops reading
    /// from the socket; null for no limit.
    /// </summary>
    /// <remarks>Default 1 MiB, as Kestrel's socket transport.</remarks>
    public long? MaxReadBufferSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// Owned (copied) bytes queued but not yet taken by the kernel above which a flush waits;
    /// null for no limit. Bytes sent by reference to sealed segments are not counted: they cost
    /// no transport memory, and a flush that waited on them would be timed by Kestrel's minimum
    /// response data rate against bytes it never counted. For the same reason, owned bytes queued
    /// behind an unsent reference (a pipelined response after a large hit) may reach 16 times
    /// this value before a flush waits.
    /// </summary>
    /// <remarks>Default 64 KiB, as Kestrel's socket transport.</remarks>
    public long? MaxWriteBufferSize { get; set; } = 64 * 1024;

    /// <summary>
    /// <c>SO_SNDBUF</c> for accepted sockets, or null to keep the kernel's autotuning.
    /// </summary>
    /// <remarks>Default null. Small values make slow clients visible sooner; mostly for tests.</remarks>
    public int? SocketSendBufferSize { get; set; }

    /// <summary>
    /// Whether to send with gathered <c>sendmsg(2)</c> (Linux). When false, or on other systems,
    /// each queued item is sent with <c>Socket.SendAsync</c>, still without copying.
    /// </summary>
    /// <remarks>Default true.</remarks>
    public bool UseGatheredSend { get; set; } = true;

    /// <summary>
    /// The most bytes one gathered <c>sendmsg(2)</c> offers the kernel on a connection whose TCP
    /// congestion control paces its own sends (BBR, read from <c>TCP_CONGESTION</c> when the
    /// connection is accepted). Null: no limit beyond 1 MiB per call, as on other connections.
    /// </summary>
    /// <remarks>
    /// <para>Default 96 KiB. Without an <c>fq</c> qdisc (loopback never has one) BBR paces inside
    /// TCP: a packet queued before its pacing time waits for a high-resolution timer. One write of a
    /// whole 128 KiB response queues its last packet right behind a full one, so nearly every
    /// response cost a timer interrupt; writes of at most 96 KiB leave the send loop's own gap as
    /// the pacing. Measured on 128 KiB hits over loopback with BBR: 0.6 to 0.7 timer interrupts per
    /// response became 0.03, and CPU per response fell from 142–169 µs to 85–133 µs (kestrel mode
    /// 132–146 µs).</para>
    /// <para>With CUBIC (no pacing) the limit is not applied: there it cost 1 MiB hits 15 to 25 %
    /// more CPU (more calls for the same bytes).</para>
    /// </remarks>
    public int? PacedSendLimit { get; set; } = 96 * 1024;

    /// <summary>
    /// Whether a flush is sent by the flushing thread itself, in one non-blocking gathered
    /// <c>sendmsg(2)</c>, when the connection's send loop is idle (needs
    /// <see cref="UseGatheredSend"/>). The loop still sends what the socket does not take at once.
    /// </summary>
    /// <remarks>
    /// Default false: it saves a thread-pool hop per response, but it sends each response on its own
    /// and wakes the client once per response. With the send loop resumed from the global queue (see
    /// <c>AsyncSignal</c>), an A/B on 1 KiB cache hits (loadtests/transport-ab.sh, 3 rounds) measured
    /// 64–118 µs CPU per request inline against 41–83 µs without; with the host's inline scheduling it
    /// was worse at 1 KiB and 128 KiB and better at 16 KiB (README, `SendInline`).
    /// </remarks>
    public bool SendInline { get; set; }

    /// <summary>
    /// Whether Kestrel parses and handles a request on the thread that received its bytes, instead
    /// of after a hop to the thread pool (as Kestrel's <c>UnsafePreferInlineScheduling</c>).
    /// </summary>
    /// <remarks>
    /// Default false here. ZProxy's host sets it from <c>ZProxy:Transport:Scheduling</c> (<c>Inline</c>, its
    /// default), together with the runtime's inline socket completions: only with both does a request run
    /// on the socket event thread that received it, with no thread-pool hop. Alone, with completions
    /// dispatched to the pool, an A/B measured no gain. Application code that blocks then holds up every
    /// connection of that event thread.
    /// </remarks>
    public bool InlineRequestScheduling { get; set; }

    /// <summary>
    /// Sealed segments at least this long that have a file (the store's memfd) are sent with
    /// <c>sendfile(2)</c> instead of <c>sendmsg(2)</c>; null disables <c>sendfile</c>.
    /// </summary>
    /// <remarks>
    /// Default null (off). On loopback, <c>sendfile</c> from a memfd costs more CPU per byte than
    /// <c>sendmsg</c> from the mapping (see DESIGN.md); enable it only where a measurement says so.
    /// </remarks>
    public long? SendfileThreshold { get; set; }

    /// <summary>
    /// How often the transport checks that bytes sent by reference are leaving at the request's
    /// minimum response data rate (Kestrel's <c>MinResponseDataRate</c>).
    /// </summary>
    /// <remarks>Default 1 second, as Kestrel's heartbeat.</remarks>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The clock for the send-rate check; tests pass a fake one.</summary>
    /// <remarks>Default <see cref="TimeProvider.System"/>.</remarks>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

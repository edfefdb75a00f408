using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZProxy.Transport.Buffers;
using ZProxy.Transport.Connections;
using ZProxy.Transport.Metrics;

namespace ZProxy.Transport.Listening;

/// <summary>
/// Kestrel's entry to the transport. Registered after Kestrel's own socket factory, so Kestrel
/// (which tries the most recently registered factory first) binds IP endpoints here; other
/// endpoints (Unix sockets, named pipes) fall through to the next factory via
/// <see cref="CanBind"/>.
/// </summary>
internal sealed class ZProxyTransportFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly ZProxyTransportOptions _options;
    private readonly ILogger _logger;
    private readonly PinnedBlockPool _pool = new();

    internal SendCounters Counters { get; } = new();

    public ZProxyTransportFactory(IOptions<ZProxyTransportOptions> options, ILoggerFactory loggerFactory, IMeterFactory meterFactory)
    {
        _options = options.Value;
        _logger = loggerFactory.CreateLogger("ZProxy.Transport");
        TransportMetrics.Register(meterFactory, Counters);
    }

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var listener = new ZProxyConnectionListener(endpoint, _options, _pool, Counters, _logger);
        listener.Bind();
        return new ValueTask<IConnectionListener>(listener);
    }
}

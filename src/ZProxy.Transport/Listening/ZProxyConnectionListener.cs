using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using ZProxy.Transport.Buffers;
using ZProxy.Transport.Connections;
using static ZProxy.Native.Interop;

namespace ZProxy.Transport.Listening;

/// <summary>Accepts TCP connections on one IP endpoint (after Kestrel's SocketConnectionListener).</summary>
internal sealed class ZProxyConnectionListener : IConnectionListener
{
    private static long s_connectionCounter = Random.Shared.NextInt64(1L << 40);

    private readonly ZProxyTransportOptions _options;
    private readonly PinnedBlockPool _pool;
    private readonly ILogger _logger;
    private readonly SendCounters _counters;
    private readonly ConnectionRegistry _registry;

    // One delegate for every connection of the listener (a method group converts to a new one each time).
    private readonly Action<long> _unregister;
    private Socket? _listenSocket;

    public ZProxyConnectionListener(EndPoint endPoint, ZProxyTransportOptions options, PinnedBlockPool pool, SendCounters counters, ILogger logger)
    {
        _counters = counters;
        EndPoint = endPoint;
        _options = options;
        _pool = pool;
        _logger = logger;
        _registry = new ConnectionRegistry(options);
        _unregister = _registry.Remove;
    }

    public EndPoint EndPoint { get; private set; }

    internal ConnectionRegistry Registry => _registry;

    internal void Bind()
    {
        if (EndPoint is not IPEndPoint ip)
        {
            throw new NotSupportedException($"The ZProxy transport binds IP endpoints only, not {EndPoint.GetType().Name}.");
        }

        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (ip.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            if (_options.CongestionControl is { } algorithm)
            {
                SetCongestionControl(socket, algorithm);
            }

            socket.Bind(ip);
            socket.Listen(_options.Backlog);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new AddressInUseException(ex.Message, ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        EndPoint = socket.LocalEndPoint!;
        _listenSocket = socket;
        ZProxyTransportLog.Listening(_logger, EndPoint, GetCongestionControl(socket) ?? "unknown");
    }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                var listenSocket = _listenSocket ?? throw new InvalidOperationException("The listener is not bound.");
                var socket = await listenSocket.AcceptAsync(cancellationToken).ConfigureAwait(false);
                if (socket.AddressFamily != AddressFamily.Unix)
                {
                    socket.NoDelay = _options.NoDelay;
                }

                if (_options.SocketSendBufferSize is { } sendBuffer)
                {
                    socket.SendBufferSize = sendBuffer;
                }

                var id = Interlocked.Increment(ref s_connectionCounter);
                var connection = new ZProxyConnection(socket, FormatConnectionId(id), _pool, _options, _counters, _logger);
                _registry.Add(id, connection);
                connection.Start(_unregister, id);
                return connection;
            }
            catch (ObjectDisposedException)
            {
                // UnbindAsync disposed the listen socket.
                return null;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.OperationAborted)
            {
                return null;
            }
            catch (SocketException)
            {
                // A connection reset before accept completed; keep accepting.
                ZProxyTransportLog.AcceptReset(_logger);
            }
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _listenSocket?.Dispose();
        return default;
    }

    public ValueTask DisposeAsync()
    {
        _listenSocket?.Dispose();
        _registry.Dispose();
        return default;
    }

    // Kestrel's ids are 13 base32 characters of a counter; ours likewise, with a "Z" prefix so
    // logs show which transport served a connection.
    private static string FormatConnectionId(long id)
    {
        const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
        return string.Create(14, id, static (span, value) =>
        {
            span[0] = 'Z';
            for (var i = 13; i >= 1; i--)
            {
                span[i] = Alphabet[(int)(value & 31)];
                value >>= 5;
            }
        });
    }
}

using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using ZProxy.Transport.Buffers;
using static ZProxy.Native.Interop;

namespace ZProxy.Transport.Connections;

/// <summary>
/// One accepted TCP connection: input is a <see cref="Pipe"/> fed by a receive loop, output is a
/// <see cref="SendQueue"/> drained by a send loop. Lifecycle follows Kestrel's socket transport
/// (SocketConnection): the receive side ending fires <see cref="ConnectionClosed"/>; the send side
/// ending shuts the socket down; <see cref="DisposeAsync"/> completes both pipes and waits.
/// </summary>
internal sealed partial class ZProxyConnection : ConnectionContext,
    IConnectionIdFeature,
    IConnectionItemsFeature,
    IConnectionTransportFeature,
    IConnectionLifetimeFeature,
    IConnectionEndPointFeature,
    IConnectionSocketFeature,
    IMemoryPoolFeature,
    IZeroCopyOutputFeature,
    IInlineSender
{
    private readonly Socket _socket;
    private readonly PinnedBlockPool _pool;
    private readonly ILogger _logger;
    private readonly SendCounters _counters;
    private readonly ZProxyTransportOptions _options;
    private readonly Pipe _input;
    private readonly SendQueue _output;
    private readonly AsyncSignal _sendSignal = new();
    private readonly SocketReceiver _receiver = new();

    // MaxBytesPerSend, or ZProxyTransportOptions.PacedSendLimit when the congestion control paces.
    private readonly long _maxBytesPerSend;
    private readonly CancellationTokenSource _connectionClosedTokenSource = new();
    private readonly TaskCompletionSource _waitForConnectionClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _shutdownLock = new();
    private readonly ConnectionFeatures _features = new();

    private IDictionary<object, object?>? _items;
    private volatile bool _socketDisposed;
    private volatile Exception? _shutdownReason;
    private Task? _processingTask;
    private int _connectionClosedFired;

    public ZProxyConnection(Socket socket, string connectionId, PinnedBlockPool pool, ZProxyTransportOptions options, SendCounters counters, ILogger logger)
    {
        _counters = counters;
        _socket = socket;
        _pool = pool;
        _options = options;
        _logger = logger;
        ConnectionId = connectionId;
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        ConnectionClosed = _connectionClosedTokenSource.Token;

        var maxRead = options.MaxReadBufferSize ?? 0;
        _input = new Pipe(new PipeOptions(
            pool,
            readerScheduler: options.InlineRequestScheduling ? PipeScheduler.Inline : PipeScheduler.ThreadPool,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: maxRead,
            resumeWriterThreshold: maxRead / 2,
            useSynchronizationContext: false));
        _maxBytesPerSend = options.PacedSendLimit is { } limit && s_canGather && options.UseGatheredSend && UsesPacingCongestionControl(socket)
            ? limit
            : MaxBytesPerSend;
        _output = new SendQueue(pool, _sendSignal, options, s_canGather && options.UseGatheredSend && options.SendInline ? this : null, _maxBytesPerSend);
        Transport = new DuplexPipe(_input.Reader, _output);

        _features.Set<IConnectionIdFeature>(this);
        _features.Set<IConnectionItemsFeature>(this);
        _features.Set<IConnectionTransportFeature>(this);
        _features.Set<IConnectionLifetimeFeature>(this);
        _features.Set<IConnectionEndPointFeature>(this);
        _features.Set<IConnectionSocketFeature>(this);
        _features.Set<IMemoryPoolFeature>(this);
        _features.Set<IZeroCopyOutputFeature>(this);
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features => _features;

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new Dictionary<object, object?>();
        set => _items = value;
    }

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed { get; set; }

    public override EndPoint? LocalEndPoint { get; set; }

    public override EndPoint? RemoteEndPoint { get; set; }

    public Socket Socket => _socket;

    public MemoryPool<byte> MemoryPool => _pool;

    public SendQueue Output => _output;

    /// <summary>
    /// Starts both loops; <paramref name="ended"/> gets <paramref name="number"/> once they have ended and
    /// every queued owner was released. (A continuation on the loops' task did the same for a task and a
    /// boxed state per connection.)
    /// </summary>
    public void Start(Action<long> ended, long number)
    {
        _processingTask = RunAsync(ended, number);
    }

    private async Task RunAsync(Action<long> ended, long number)
    {
        try
        {
            var receiveTask = DoReceiveAsync();
            var sendTask = DoSendAsync();
            await receiveTask;
            await sendTask;
        }
        catch (Exception ex)
        {
            ZProxyTransportLog.UnexpectedError(_logger, ConnectionId, ex);
        }
        finally
        {
            ended(number);
        }
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        // As Kestrel's socket transport: shut the socket down (FIN, then close), and stop the
        // send loop; it releases every queued owner when it exits.
        Shutdown(abortReason);
        _output.Abort();
    }

    /// <summary>Aborts the connection if bytes sent by reference are overdue (heartbeat).</summary>
    public void CheckSendRate(long now)
    {
        if (!_socketDisposed && _output.IsReferenceSendOverdue(now))
        {
            ZProxyTransportLog.ResponseRateTooSlow(_logger, ConnectionId);
            Abort(new ConnectionAbortedException("The connection was aborted because the response was not read by the client at the specified minimum data rate."));
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _input.Reader.Complete();
        _output.Complete();

        if (_processingTask is not null)
        {
            await _processingTask.ConfigureAwait(false);
        }

        _connectionClosedTokenSource.Dispose();
    }

    private void FireConnectionClosed()
    {
        if (Interlocked.Exchange(ref _connectionClosedFired, 1) != 0)
        {
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            try
            {
                state._connectionClosedTokenSource.Cancel();
            }
            catch (Exception ex)
            {
                ZProxyTransportLog.UnexpectedError(state._logger, state.ConnectionId, ex);
            }

            state._waitForConnectionClosed.TrySetResult();
        }, this, preferLocal: false);
    }

    private void Shutdown(Exception? reason)
    {
        lock (_shutdownLock)
        {
            if (_socketDisposed)
            {
                return;
            }

            _socketDisposed = true;
            _shutdownReason = reason ?? new ConnectionAbortedException("The ZProxy transport's send loop completed gracefully.");

            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // Already reset by the peer; we are tearing down anyway.
            }
            catch (ObjectDisposedException)
            {
            }

            // SafeSocketHandle is reference counted: a sendmsg in flight holds a reference, so
            // the descriptor is closed only after it returns and cannot be reused under it.
            _socket.Dispose();
        }
    }

    private static bool IsConnectionResetError(SocketError error)
        => error is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted;

    private static bool IsConnectionAbortError(SocketError error)
        => error is SocketError.OperationAborted or SocketError.Interrupted or SocketError.InvalidArgument;

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}

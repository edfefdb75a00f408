using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace ZProxy.Transport.Connections;

internal sealed partial class ZProxyConnection
{
    // Half a block, as Kestrel's socket transport: enough for a request head without waste.
    private const int MinAllocBufferSize = Buffers.PinnedBlockPool.BlockSize / 2;

    private async Task DoReceiveAsync()
    {
        Exception? error = null;
        try
        {
            var result = await ProcessReceivesAsync().ConfigureAwait(false);
            if (!result.Succeeded)
            {
                error = ReceiveError(result.Error);
            }
        }
        catch (ObjectDisposedException ex)
        {
            // Shutdown() disposed the socket before the next receive began: _shutdownReason says why.
            error = ex;
        }
        catch (Exception ex)
        {
            error = ex;
            ZProxyTransportLog.UnexpectedError(_logger, ConnectionId, ex);
        }
        finally
        {
            _receiver.Dispose();
            _input.Writer.Complete(_shutdownReason ?? error);

            // As Kestrel's socket transport: the end of the receive side (FIN, reset, abort) is
            // what fires ConnectionClosed, which makes Kestrel abort the request in progress.
            FireConnectionClosed();
            await _waitForConnectionClosed.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Receives until the peer's FIN, a socket error (returned), or the input pipe completing.</summary>
    private async Task<ReceiveResult> ProcessReceivesAsync()
    {
        var input = _input.Writer;
        while (true)
        {
            // Wait for data before renting a buffer, so idle keep-alive connections hold none.
            var ready = await _receiver.ReceiveAsync(_socket, Memory<byte>.Empty).ConfigureAwait(false);
            if (!ready.Succeeded)
            {
                return ready;
            }

            var buffer = input.GetMemory(MinAllocBufferSize);
            var received = await _receiver.ReceiveAsync(_socket, buffer).ConfigureAwait(false);
            if (!received.Succeeded)
            {
                return received;
            }

            if (received.Bytes == 0)
            {
                ZProxyTransportLog.ConnectionReadFin(_logger, ConnectionId);
                return received;
            }

            input.Advance(received.Bytes);
            var result = await input.FlushAsync().ConfigureAwait(false);
            if (result.IsCompleted || result.IsCanceled)
            {
                return received;
            }
        }
    }

    // The exception the input pipe completes with (never thrown): Kestrel reads a reset as the
    // client going away, anything else after our own Shutdown() as the abort it was.
    private Exception ReceiveError(SocketError socketError)
    {
        var exception = new SocketException((int)socketError);
        if (IsConnectionResetError(socketError))
        {
            if (!_socketDisposed)
            {
                ZProxyTransportLog.ConnectionReset(_logger, ConnectionId);
            }

            return new ConnectionResetException(exception.Message, exception);
        }

        if (!IsConnectionAbortError(socketError))
        {
            ZProxyTransportLog.UnexpectedError(_logger, ConnectionId, exception);
        }

        return exception;
    }
}

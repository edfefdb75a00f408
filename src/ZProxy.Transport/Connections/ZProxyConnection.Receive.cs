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
            await ProcessReceivesAsync().ConfigureAwait(false);
        }
        catch (SocketException ex) when (IsConnectionResetError(ex.SocketErrorCode))
        {
            error = new ConnectionResetException(ex.Message, ex);
            if (!_socketDisposed)
            {
                ZProxyTransportLog.ConnectionReset(_logger, ConnectionId);
            }
        }
        catch (Exception ex) when ((ex is SocketException socketEx && IsConnectionAbortError(socketEx.SocketErrorCode)) || ex is ObjectDisposedException)
        {
            // Expected after Shutdown(): _shutdownReason says why.
            error = ex;
        }
        catch (Exception ex)
        {
            error = ex;
            ZProxyTransportLog.UnexpectedError(_logger, ConnectionId, ex);
        }
        finally
        {
            _input.Writer.Complete(_shutdownReason ?? error);

            // As Kestrel's socket transport: the end of the receive side (FIN, reset, abort) is
            // what fires ConnectionClosed, which makes Kestrel abort the request in progress.
            FireConnectionClosed();
            await _waitForConnectionClosed.Task.ConfigureAwait(false);
        }
    }

    private async Task ProcessReceivesAsync()
    {
        var input = _input.Writer;
        while (true)
        {
            // Wait for data before renting a buffer, so idle keep-alive connections hold none.
            await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);

            var buffer = input.GetMemory(MinAllocBufferSize);
            var received = await _socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
            if (received == 0)
            {
                ZProxyTransportLog.ConnectionReadFin(_logger, ConnectionId);
                break;
            }

            input.Advance(received);
            var result = await input.FlushAsync().ConfigureAwait(false);
            if (result.IsCompleted || result.IsCanceled)
            {
                break;
            }
        }
    }
}

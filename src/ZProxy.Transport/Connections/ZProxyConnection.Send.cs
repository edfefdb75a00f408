using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using static ZProxy.Native.Interop;

namespace ZProxy.Transport.Connections;

internal sealed partial class ZProxyConnection
{
    // IOV_MAX is 1024 on Linux; 64 vectors of 4 KiB blocks or sealed runs is plenty per call.
    private const int MaxVectors = 64;

    // Bound one call so a huge body does not hold the queue lock's view of the world for long,
    // and so owners of finished segments are released while the rest is still going out.
    private const long MaxBytesPerSend = 1024 * 1024;

    // When the socket is full we let Socket.SendAsync wait for writability (epoll) with a run of
    // at most this many bytes, then go back to gathering.
    private const int MaxBytesPerWait = 256 * 1024;

    private static readonly bool s_canGather = OperatingSystem.IsLinux();

    private async Task DoSendAsync()
    {
        Exception? shutdownReason = null;
        try
        {
            await ProcessSendsAsync().ConfigureAwait(false);
        }
        catch (SocketException ex) when (IsConnectionResetError(ex.SocketErrorCode))
        {
            shutdownReason = new ConnectionResetException(ex.Message, ex);
            ZProxyTransportLog.ConnectionReset(_logger, ConnectionId);
        }
        catch (Exception ex) when ((ex is SocketException socketEx && IsConnectionAbortError(socketEx.SocketErrorCode)) || ex is ObjectDisposedException)
        {
            shutdownReason = ex;
        }
        catch (Exception ex)
        {
            shutdownReason = ex;
            ZProxyTransportLog.UnexpectedError(_logger, ConnectionId, ex);
        }
        finally
        {
            Shutdown(shutdownReason);

            // Every owner still queued (unsent because of a reset, an abort, or a stalled client)
            // is released here, by the only thread that reads the queued memory.
            _output.OnSendLoopExit();

            // Unblock a receive loop paused on a full input pipe.
            _input.Writer.CancelPendingFlush();
        }
    }

    private Task ProcessSendsAsync()
    {
        var gather = s_canGather && _options.UseGatheredSend;
        return gather ? GatherLoopAsync() : SimpleLoopAsync();
    }

    private async Task GatherLoopAsync()
    {
        while (true)
        {
            var work = GatherAndSend(out var sent);
            switch (work)
            {
                case SendWork.Done:
                    return;
                case SendWork.Wait:
                    await _sendSignal.WaitAsync().ConfigureAwait(false);
                    continue;
                case SendWork.Sendfile:
                    if (!TrySendFile())
                    {
                        await WaitWritableAndSendAsync().ConfigureAwait(false);
                    }

                    continue;
            }

            if (sent > 0)
            {
                _output.Consume(sent);
            }
            else
            {
                // EAGAIN: the socket buffer is full.
                await WaitWritableAndSendAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Gathers the queue's head into iovecs and offers them to one non-blocking sendmsg(2); <paramref name="sent"/>
    /// is the bytes taken, 0 on EAGAIN. The iovecs live on the stack: they are filled and used in this one call.
    /// (A pinned array per connection went to the pinned object heap, which only a full GC collects: with a
    /// new connection per request that was 1 KiB of gen2 garbage each.)
    /// </summary>
    private unsafe SendWork GatherAndSend(out long sent)
    {
        var vectors = stackalloc IOVector[MaxVectors];
        sent = 0;
        var work = _output.Gather(vectors, MaxVectors, _maxBytesPerSend, out var count, out var fileFollows);
        if (work != SendWork.Gather)
        {
            return work;
        }

        var result = SendMsgNonBlocking(vectors, count, fileFollows, out var errno);
        if (result < 0)
        {
            throw CreateSocketException(errno);
        }

        _counters.AddSendmsg(TotalLength(vectors, count), result);
        sent = result;
        return work;
    }

    /// <inheritdoc/>
    unsafe long IInlineSender.TrySend(IOVector* vectors, int count, bool fileFollows)
    {
        if (_socketDisposed)
        {
            return 0;
        }

        try
        {
            var sent = SendMsgNonBlocking(vectors, count, fileFollows, out _);
            if (sent >= 0)
            {
                _counters.AddInline(TotalLength(vectors, count), sent);
            }

            if (sent > 0)
            {
                return sent;
            }
        }
        catch (ObjectDisposedException)
        {
            // Closed by an abort under us; the send loop is ending too.
        }

        // EAGAIN or an error: the loop sends the rest, or meets the error and ends the connection.
        return 0;
    }

    private static unsafe long TotalLength(IOVector* vectors, int count)
    {
        long total = 0;
        for (var i = 0; i < count; i++)
        {
            total += (long)vectors[i].Count;
        }

        return total;
    }

    /// <summary>
    /// sendmsg(2) with MSG_DONTWAIT, retried on EINTR. Returns bytes taken, 0 on EAGAIN, -1 with errno
    /// otherwise. When a sendfile of the body follows (<paramref name="fileFollows"/>), MSG_MORE keeps
    /// the head from leaving as a packet of its own: the kernel adds the file's pages to the same
    /// segment, as nginx's <c>tcp_nopush</c> does with TCP_CORK, without its two extra system calls.
    /// </summary>
    private unsafe long SendMsgNonBlocking(IOVector* vectors, int count, bool fileFollows, out int errno)
    {
        var message = new MessageHeader { IOVectors = vectors, IOVectorCount = (nuint)count };
        var flags = MSG_NOSIGNAL | MSG_DONTWAIT | (fileFollows ? MSG_MORE : 0);
        while (true)
        {
            var result = SendMsg(_socket.SafeHandle, &message, flags);
            if (result >= 0)
            {
                errno = 0;
                return result;
            }

            errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR)
            {
                continue;
            }

            if (errno == EAGAIN)
            {
                return 0;
            }

            return -1;
        }
    }

    /// <summary>
    /// One non-blocking sendfile(2) of the head segment from the store's memfd. Returns false on
    /// EAGAIN. The file's SafeHandle is referenced for the call so the memfd cannot be closed
    /// (and its number reused) under it.
    /// </summary>
    private bool TrySendFile()
    {
        var run = _output.GetHeadRun(int.MaxValue, out var file, out var offset);
        if (run.IsEmpty)
        {
            return true;
        }

        if (file is null)
        {
            // Not a file run after all (cannot happen for a sendfile segment): send it mapped.
            return false;
        }

        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            while (true)
            {
                var before = offset;
                var result = SendFile(_socket.SafeHandle, file.DangerousGetHandle(), ref offset, (nuint)run.Length);
                if (result >= 0)
                {
                    _counters.AddSendfile(offset - before);
                    _output.Consume(offset - before);
                    return result > 0;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                if (errno == EAGAIN)
                {
                    return false;
                }

                throw CreateSocketException(errno);
            }
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Sends the head run with Socket.SendAsync, which waits for the socket to become writable
    /// through the runtime's epoll loop; the bytes still come from the queued memory, uncopied.
    /// </summary>
    private async Task WaitWritableAndSendAsync()
    {
        var run = _output.GetHeadRun(MaxBytesPerWait, out _, out _);
        if (run.IsEmpty)
        {
            return;
        }

        var sent = await _socket.SendAsync(run, SocketFlags.None).ConfigureAwait(false);
        _counters.AddSendAsync(sent);
        _output.Consume(sent);
    }

    /// <summary>The portable loop: one Socket.SendAsync per queued run, no gather.</summary>
    private async Task SimpleLoopAsync()
    {
        while (true)
        {
            var run = _output.GetHeadRun(MaxBytesPerWait, out _, out _);
            if (run.IsEmpty)
            {
                if (_output.IsDrainedAndCompleted())
                {
                    return;
                }

                await _sendSignal.WaitAsync().ConfigureAwait(false);
                continue;
            }

            var sent = await _socket.SendAsync(run, SocketFlags.None).ConfigureAwait(false);
            _counters.AddSendAsync(sent);
            _output.Consume(sent);
        }
    }
}

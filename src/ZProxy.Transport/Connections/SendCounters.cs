namespace ZProxy.Transport.Connections;

/// <summary>
/// What the send loops asked of the kernel, across all connections of one transport factory: bytes
/// taken by each system call, and how the calls went. Tests use the bytes to prove which call really
/// sent a body (the hit metrics count hand-offs, not syscalls); <see cref="Metrics.TransportMetrics"/>
/// publishes all of it, so an operator can see when the socket buffer, not the proxy, sets the pace.
/// </summary>
internal sealed class SendCounters
{
    private long _sendmsgBytes;
    private long _sendfileBytes;
    private long _sendAsyncBytes;
    private long _inlineBytes;
    private long _sendmsgComplete;
    private long _sendmsgPartial;
    private long _sendmsgWouldBlock;
    private long _sendfileCalls;
    private long _sendAsyncCalls;

    public long SendmsgBytes => Interlocked.Read(ref _sendmsgBytes);

    public long SendfileBytes => Interlocked.Read(ref _sendfileBytes);

    public long SendAsyncBytes => Interlocked.Read(ref _sendAsyncBytes);

    /// <summary>The part of <see cref="SendmsgBytes"/> sent inline by a flushing thread.</summary>
    public long InlineBytes => Interlocked.Read(ref _inlineBytes);

    /// <summary>sendmsg(2) calls that took every byte offered.</summary>
    public long SendmsgComplete => Interlocked.Read(ref _sendmsgComplete);

    /// <summary>sendmsg(2) calls that took some bytes but not all (the socket buffer filled).</summary>
    public long SendmsgPartial => Interlocked.Read(ref _sendmsgPartial);

    /// <summary>sendmsg(2) calls that took nothing (EAGAIN).</summary>
    public long SendmsgWouldBlock => Interlocked.Read(ref _sendmsgWouldBlock);

    public long SendfileCalls => Interlocked.Read(ref _sendfileCalls);

    /// <summary>Socket.SendAsync calls: the portable loop's sends, and the gathering loop's waits for writability.</summary>
    public long SendAsyncCalls => Interlocked.Read(ref _sendAsyncCalls);

    public void AddSendmsg(long offered, long sent)
    {
        if (sent <= 0)
        {
            Interlocked.Increment(ref _sendmsgWouldBlock);
            return;
        }

        Interlocked.Add(ref _sendmsgBytes, sent);
        Interlocked.Increment(ref sent < offered ? ref _sendmsgPartial : ref _sendmsgComplete);
    }

    public void AddSendfile(long bytes)
    {
        Interlocked.Increment(ref _sendfileCalls);
        Interlocked.Add(ref _sendfileBytes, bytes);
    }

    public void AddSendAsync(long bytes)
    {
        Interlocked.Increment(ref _sendAsyncCalls);
        Interlocked.Add(ref _sendAsyncBytes, bytes);
    }

    public void AddInline(long offered, long sent)
    {
        AddSendmsg(offered, sent);
        if (sent > 0)
        {
            Interlocked.Add(ref _inlineBytes, sent);
        }
    }
}

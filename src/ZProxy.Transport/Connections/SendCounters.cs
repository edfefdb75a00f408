namespace ZProxy.Transport.Connections;

/// <summary>
/// Bytes the kernel took, by system call, across all connections of one transport factory.
/// Internal: tests use them to prove which call really sent the bytes (the metrics count
/// hand-offs, not syscalls).
/// </summary>
internal sealed class SendCounters
{
    private long _sendmsgBytes;
    private long _sendfileBytes;
    private long _sendAsyncBytes;
    private long _inlineBytes;

    public long SendmsgBytes => Interlocked.Read(ref _sendmsgBytes);

    public long SendfileBytes => Interlocked.Read(ref _sendfileBytes);

    public long SendAsyncBytes => Interlocked.Read(ref _sendAsyncBytes);

    /// <summary>The part of <see cref="SendmsgBytes"/> sent inline by a flushing thread.</summary>
    public long InlineBytes => Interlocked.Read(ref _inlineBytes);

    public void AddSendmsg(long bytes) => Interlocked.Add(ref _sendmsgBytes, bytes);

    public void AddSendfile(long bytes) => Interlocked.Add(ref _sendfileBytes, bytes);

    public void AddSendAsync(long bytes) => Interlocked.Add(ref _sendAsyncBytes, bytes);

    public void AddInline(long bytes)
    {
        Interlocked.Add(ref _sendmsgBytes, bytes);
        Interlocked.Add(ref _inlineBytes, bytes);
    }
}

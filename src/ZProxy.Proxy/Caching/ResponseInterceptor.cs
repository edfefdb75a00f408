using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using ZProxy.PageBlocks;

namespace ZProxy.Proxy.Caching;

/// <summary>
/// Sits between YARP and the client's response body while an origin response is fetched for the
/// cache. When the response starts (first write, flush, start or completion) it asks the cache what
/// to do with it: pass it to the client, pass it and copy every body byte once into the store (the
/// fill tee), or swallow it (a 304 that answered ZProxy's own revalidation, or a 5xx that stale
/// content will replace). Nothing is buffered: bytes go to the client as they arrive.
/// </summary>
internal sealed class ResponseInterceptor : Stream, IHttpResponseBodyFeature
{
    private readonly IHttpResponseBodyFeature _inner;
    private readonly Func<InterceptMode> _decide;

    // Kestrel's AllowSynchronousIO for the request (false by default), which the response stream this
    // replaces enforces: a synchronous write blocks its thread until the client takes the bytes, and with
    // inline scheduling that thread is a socket event thread serving other connections.
    private readonly bool _allowSynchronousIO;
    private InterceptMode _mode;
    private bool _decided;
    private BodyWriter? _tee;
    private PipeWriter? _writer;

    public ResponseInterceptor(IHttpResponseBodyFeature inner, bool allowSynchronousIO, Func<InterceptMode> decide)
    {
        _inner = inner;
        _allowSynchronousIO = allowSynchronousIO;
        _decide = decide;
    }

    /// <summary>True once the response has started and the cache has decided.</summary>
    public bool Decided => _decided;

    /// <summary>The decision, once <see cref="Decided"/>.</summary>
    public InterceptMode Mode => _mode;

    /// <summary>Bytes the origin sent through this interceptor.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Sets where body bytes are copied (set by the decision callback).</summary>
    public void TeeInto(BodyWriter writer) => _tee = writer;

    /// <summary>Makes the decision now if the response never started (no body, as for a 304).</summary>
    public InterceptMode EnsureDecided()
    {
        if (!_decided)
        {
            _decided = true;
            _mode = _decide();
        }

        return _mode;
    }

    Stream IHttpResponseBodyFeature.Stream => this;

    PipeWriter IHttpResponseBodyFeature.Writer => _writer ??= PipeWriter.Create(this, new StreamPipeWriterOptions(leaveOpen: true));

    public void DisableBuffering() => _inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) =>
        EnsureDecided() == InterceptMode.Swallow ? Task.CompletedTask : _inner.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(this, path, offset, count, cancellationToken);

    public async Task CompleteAsync()
    {
        if (_writer is not null)
        {
            await _writer.FlushAsync();
        }

        if (EnsureDecided() != InterceptMode.Swallow)
        {
            await _inner.CompleteAsync();
        }
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var mode = EnsureDecided();
        BytesWritten += buffer.Length;

        // The one copy of the body: from YARP's buffer into sealed-to-be store memory. A writer that
        // fails (body too large, store full) just stops teeing; the client is unaffected.
        if (_tee is { IsFailed: false } tee)
        {
            tee.TryAppend(buffer.Span);
        }

        if (mode != InterceptMode.Swallow)
        {
            await _inner.Writer.WriteAsync(buffer, cancellationToken);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        ThrowIfSynchronousIODisallowed();
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (EnsureDecided() != InterceptMode.Swallow)
        {
            await _inner.Writer.FlushAsync(cancellationToken);
        }
    }

    public override void Flush()
    {
        ThrowIfSynchronousIODisallowed();
        FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    private void ThrowIfSynchronousIODisallowed()
    {
        if (!_allowSynchronousIO)
        {
            throw new InvalidOperationException("Synchronous operations are disallowed. Call WriteAsync or set AllowSynchronousIO to true instead.");
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>What happens to an origin response on its way to the client.</summary>
internal enum InterceptMode
{
    /// <summary>To the client unchanged.</summary>
    PassThrough,

    /// <summary>Not to the client: the cache answers instead.</summary>
    Swallow,
}

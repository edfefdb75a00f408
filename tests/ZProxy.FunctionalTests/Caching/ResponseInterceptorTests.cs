using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using ZProxy.Proxy.Caching;

namespace ZProxy.FunctionalTests.Caching;

/// <summary>
/// The interceptor stands in for Kestrel's response stream while a fill passes through, so it keeps that
/// stream's rule: synchronous writes only when the request allows synchronous I/O. A blocked write would
/// otherwise hold a socket event thread (inline scheduling) until the client read the bytes.
/// </summary>
public sealed class ResponseInterceptorTests
{
    [Fact]
    public void SynchronousWriteAndFlush_NotAllowed_ThrowWithoutWriting()
    {
        var inner = new RecordingBodyFeature();
        var interceptor = new ResponseInterceptor(inner, allowSynchronousIO: false, () => InterceptMode.PassThrough);

        Assert.Throws<InvalidOperationException>(() => interceptor.Write([1, 2, 3], 0, 3));
        Assert.Throws<InvalidOperationException>(interceptor.Flush);
        Assert.Equal(0, inner.Pipe.Writer.UnflushedBytes);
        Assert.Equal(0, interceptor.BytesWritten);
    }

    [Fact]
    public async Task SynchronousWrite_Allowed_PassesTheBytesOn()
    {
        var inner = new RecordingBodyFeature();
        var interceptor = new ResponseInterceptor(inner, allowSynchronousIO: true, () => InterceptMode.PassThrough);

        interceptor.Write([1, 2, 3], 0, 3);
        interceptor.Flush();

        var read = await inner.Pipe.Reader.ReadAsync();
        Assert.Equal([1, 2, 3], read.Buffer.ToArray());
        Assert.Equal(3, interceptor.BytesWritten);
    }

    private sealed class RecordingBodyFeature : IHttpResponseBodyFeature
    {
        public Pipe Pipe { get; } = new();

        public Stream Stream => Writer.AsStream();

        public PipeWriter Writer => Pipe.Writer;

        public void DisableBuffering()
        {
        }

        public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task CompleteAsync() => Pipe.Writer.CompleteAsync().AsTask();
    }
}

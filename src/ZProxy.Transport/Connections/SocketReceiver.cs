using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace ZProxy.Transport.Connections;

/// <summary>The outcome of one receive: bytes received (0 at the peer's FIN), or the socket error.</summary>
internal readonly record struct ReceiveResult(int Bytes, SocketError Error)
{
    public bool Succeeded => Error == SocketError.Success;
}

/// <summary>
/// The connection's one reusable receive operation, which reports socket errors as values.
/// <c>Socket.ReceiveAsync</c> throws instead, and every connection that ends while its receive is
/// pending ends in an error: our own close aborts it (operation aborted), a client's reset resets it.
/// A throw and the rethrow at the await above it cost microseconds each (and feed the runtime's
/// exception metrics); with a new connection per request they were two per connection.
/// </summary>
internal sealed class SocketReceiver : SocketAsyncEventArgs, IValueTaskSource<ReceiveResult>
{
    // Continuations run inline on the completing thread, as Socket.ReceiveAsync's own awaitable does.
    private ManualResetValueTaskSourceCore<ReceiveResult> _core;

    public SocketReceiver()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>Receives into <paramref name="buffer"/>; an empty buffer waits for data without taking any.</summary>
    public ValueTask<ReceiveResult> ReceiveAsync(Socket socket, Memory<byte> buffer)
    {
        _core.Reset();
        SetBuffer(buffer);
        return socket.ReceiveAsync(this)
            ? new ValueTask<ReceiveResult>(this, _core.Version)
            : new ValueTask<ReceiveResult>(TakeResult());
    }

    protected override void OnCompleted(SocketAsyncEventArgs e) => _core.SetResult(TakeResult());

    public ReceiveResult GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    // The buffer stays referenced until the next receive sets another: harmless, nothing writes into it
    // without an operation pending, and clearing it would be a second SetBuffer per receive.
    private ReceiveResult TakeResult() => new(BytesTransferred, SocketError);
}

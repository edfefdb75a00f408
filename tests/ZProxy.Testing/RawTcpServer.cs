using System.Net;
using System.Net.Sockets;

namespace ZProxy.Testing;

/// <summary>
/// A bare TCP server on 127.0.0.1 port 0 for origins whose misbehaviour a real HTTP server would
/// not produce: closing a kept-alive connection, sending forbidden headers, dying mid-body.
/// Each accepted connection is handed to the test's handler.
/// </summary>
public sealed class RawTcpServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<Socket, int, CancellationToken, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private int _connections;

    /// <summary>Starts listening; <paramref name="handler"/> gets each connection and its 0-based index.</summary>
    public RawTcpServer(Func<Socket, int, CancellationToken, Task> handler)
    {
        _handler = handler;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The port listened on.</summary>
    public int Port { get; }

    /// <summary>The base address, <c>http://127.0.0.1:{Port}/</c>.</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>How many connections were accepted.</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    private async Task AcceptLoopAsync()
    {
        var tasks = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptAsync(_stop.Token);
                var index = Interlocked.Increment(ref _connections) - 1;
                tasks.Add(RunAsync(socket, index));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        await Task.WhenAll(tasks);
    }

    private async Task RunAsync(Socket socket, int index)
    {
        using (socket)
        {
            try
            {
                await _handler(socket, index, _stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
            }
            catch (SocketException)
            {
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}

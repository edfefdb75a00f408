using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace ZProxy.Transport.Tests.Infrastructure;

/// <summary>An HTTP/1.1 client over a raw socket, for pipelining and for misbehaving on purpose.</summary>
internal sealed class RawHttpConnection : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawHttpConnection(Socket socket)
    {
        Socket = socket;
    }

    public Socket Socket { get; }

    public static async Task<RawHttpConnection> ConnectAsync(int port, int? receiveBufferSize = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferSize is { } size)
        {
            // Set before connect so the advertised window starts small.
            socket.ReceiveBufferSize = size;
        }

        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return new RawHttpConnection(socket);
    }

    public static string Get(string path, bool close = false, string method = "GET")
        => $"{method} {path} HTTP/1.1\r\nHost: localhost\r\n{(close ? "Connection: close\r\n" : "")}\r\n";

    public async Task SendAsync(string requests)
    {
        var bytes = Encoding.ASCII.GetBytes(requests);
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await Socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None);
        }
    }

    /// <summary>Reads one response; for HEAD (or 204/304) no body is read. Optionally paced.</summary>
    public async Task<RawResponse> ReadResponseAsync(bool head = false, double? bytesPerSecond = null, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DefaultTimeout);
        var token = timeout.Token;

        var headerText = await ReadHeadAsync(token);
        var lines = headerText.Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        using var body = new MemoryStream();
        if (!head && status is not (204 or 304))
        {
            if (headers.TryGetValue("Content-Length", out var lengthText))
            {
                await ReadExactlyAsync(body, long.Parse(lengthText, CultureInfo.InvariantCulture), bytesPerSecond, token);
            }
            else if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                while (true)
                {
                    var sizeLine = await ReadLineAsync(token);
                    var size = long.Parse(sizeLine.Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    if (size == 0)
                    {
                        await ReadLineAsync(token);
                        break;
                    }

                    await ReadExactlyAsync(body, size, bytesPerSecond, token);
                    await ReadLineAsync(token);
                }
            }
            else
            {
                while (await FillAsync(token))
                {
                    body.Write(_buffer, _start, _end - _start);
                    _start = _end;
                }
            }
        }

        return new RawResponse(status, headers, body.ToArray());
    }

    /// <summary>Reads exactly <paramref name="count"/> body bytes and throws if the server closes first.</summary>
    public async Task ReadBodyBytesAsync(long count, CancellationToken token)
    {
        using var sink = new MemoryStream();
        await ReadExactlyAsync(sink, count, null, token);
    }

    /// <summary>True when the server closes the connection (EOF or reset) within the timeout.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await FillAsync(cts.Token))
            {
                _start = _end;
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<string> ReadHeadAsync(CancellationToken token)
    {
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var index = span.IndexOf("\r\n\r\n"u8);
            if (index >= 0)
            {
                var text = Encoding.ASCII.GetString(span[..index]);
                _start += index + 4;
                return text;
            }

            if (!await FillAsync(token))
            {
                throw new EndOfStreamException("The server closed the connection before a response head.");
            }
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken token)
    {
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var index = span.IndexOf("\r\n"u8);
            if (index >= 0)
            {
                var text = Encoding.ASCII.GetString(span[..index]);
                _start += index + 2;
                return text;
            }

            if (!await FillAsync(token))
            {
                throw new EndOfStreamException("The server closed the connection in a chunk header.");
            }
        }
    }

    private async Task ReadExactlyAsync(Stream destination, long count, double? bytesPerSecond, CancellationToken token)
    {
        var stopwatch = Stopwatch.StartNew();
        long read = 0;
        while (read < count)
        {
            if (_start == _end && !await FillAsync(token, bytesPerSecond is null ? _buffer.Length : 16 * 1024))
            {
                throw new EndOfStreamException($"The server closed the connection after {read} of {count} body bytes.");
            }

            var take = (int)Math.Min(_end - _start, count - read);
            destination.Write(_buffer, _start, take);
            _start += take;
            read += take;

            if (bytesPerSecond is { } rate)
            {
                // Pacing a deliberately slow reader, not waiting for the server.
                var due = TimeSpan.FromSeconds(read / rate) - stopwatch.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, token);
                }
            }
        }
    }

    private async Task<bool> FillAsync(CancellationToken token, int max = int.MaxValue)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var room = Math.Min(_buffer.Length - _end, max);
        var received = await Socket.ReceiveAsync(_buffer.AsMemory(_end, room), SocketFlags.None, token);
        _end += received;
        return received > 0;
    }

    public ValueTask DisposeAsync()
    {
        Socket.Dispose();
        return default;
    }
}

/// <summary>A parsed response.</summary>
internal sealed record RawResponse(int Status, Dictionary<string, string> Headers, byte[] Body)
{
    public string Sha256Hex => Convert.ToHexString(SHA256.HashData(Body));
}

using System.Net.Sockets;
using System.Text;

namespace ZProxy.Testing;

/// <summary>
/// Minimal HTTP/1.1 message reading and writing over a raw socket, for tests that need exact control
/// of the bytes (pipelining, hop-by-hop headers, connections closed at chosen moments).
/// </summary>
public static class RawHttp
{
    /// <summary>Reads one request head (up to the blank line) and returns it, or null at end of stream.</summary>
    public static async Task<string?> ReadHeadAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new List<byte>(1024);
        var one = new byte[1];
        while (true)
        {
            var read = await socket.ReceiveAsync(one, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return null;
            }

            buffer.Add(one[0]);
            var n = buffer.Count;
            if (n >= 4 && buffer[n - 4] == '\r' && buffer[n - 3] == '\n' && buffer[n - 2] == '\r' && buffer[n - 1] == '\n')
            {
                return Encoding.Latin1.GetString([.. buffer]);
            }
        }
    }

    /// <summary>Sends <paramref name="text"/> as Latin-1 bytes.</summary>
    public static async Task SendAsync(Socket socket, string text, CancellationToken cancellationToken)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, cancellationToken);
        }
    }

    /// <summary>Reads one response (head and Content-Length body) from <paramref name="stream"/>.</summary>
    /// <param name="stream">The connection.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <param name="isHead">The request was HEAD: Content-Length describes a body that is not sent.</param>
    public static async Task<RawResponse> ReadResponseAsync(Stream stream, CancellationToken cancellationToken, bool isHead = false)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new EndOfStreamException("The connection closed before the response head ended.");
            }

            head.Append((char)one[0]);
        }

        var lines = head.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var status = int.Parse(lines[0].Split(' ')[1]);
        var headers = lines.Skip(1)
            .Select(line => (Name: line[..line.IndexOf(':')], Value: line[(line.IndexOf(':') + 1)..].Trim()))
            .ToList();
        var length = isHead || status is 204 or 304 ? 0 : headers.Where(h => h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(h => (int?)int.Parse(h.Value)).FirstOrDefault() ?? 0;
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, cancellationToken);
        return new RawResponse(status, headers, body);
    }
}

/// <summary>A response read by <see cref="RawHttp.ReadResponseAsync"/>.</summary>
public sealed record RawResponse(int Status, IReadOnlyList<(string Name, string Value)> Headers, byte[] Body)
{
    /// <summary>Every value of header <paramref name="name"/>.</summary>
    public IEnumerable<string> Values(string name) =>
        Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);
}

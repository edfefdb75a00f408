using System.Net.Sockets;
using System.Text;

namespace ZProxy.Native;

internal static partial class Interop
{
    /// <summary><c>IPPROTO_TCP</c>, the level of TCP socket options.</summary>
    internal const int IPPROTO_TCP = 6;

    /// <summary><c>TCP_CONGESTION</c>: the socket's congestion control algorithm, by name (tcp(7)).</summary>
    internal const int TCP_CONGESTION = 13;

    // TCP_CA_NAME_MAX, the terminating NUL included.
    private const int CongestionControlNameBytes = 16;

    /// <summary>
    /// Sets the socket's congestion control algorithm (Linux). Throws a <see cref="SocketException"/> naming
    /// the algorithm when the kernel refuses it (not available, or not allowed), and
    /// <see cref="PlatformNotSupportedException"/> on other systems.
    /// </summary>
    internal static void SetCongestionControl(Socket socket, string algorithm)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Choosing the TCP congestion control needs Linux.");
        }

        try
        {
            socket.SetRawSocketOption(IPPROTO_TCP, TCP_CONGESTION, Encoding.ASCII.GetBytes(algorithm));
        }
        catch (SocketException ex)
        {
            throw new SocketException(
                (int)ex.SocketErrorCode,
                $"TCP congestion control '{algorithm}' was refused ({ex.Message}); see net.ipv4.tcp_available_congestion_control.");
        }
    }

    /// <summary>The socket's congestion control algorithm (Linux), or null when it cannot be read.</summary>
    internal static string? GetCongestionControl(Socket socket)
    {
        Span<byte> name = stackalloc byte[CongestionControlNameBytes];
        return TryReadCongestionControl(socket, name, out var length) ? Encoding.ASCII.GetString(name[..length]) : null;
    }

    /// <summary>
    /// True when the socket's congestion control is BBR (any version), which paces sends inside TCP when
    /// the qdisc does not (Linux 4.13 and later; loopback has no qdisc). Allocates nothing.
    /// </summary>
    internal static bool UsesPacingCongestionControl(Socket socket)
    {
        Span<byte> name = stackalloc byte[CongestionControlNameBytes];
        return TryReadCongestionControl(socket, name, out var length) && name[..length].StartsWith("bbr"u8);
    }

    /// <summary>Reads <c>TCP_CONGESTION</c> into <paramref name="name"/> (without the NUL); false off Linux or on error.</summary>
    private static bool TryReadCongestionControl(Socket socket, Span<byte> name, out int length)
    {
        length = 0;
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            length = socket.GetRawSocketOption(IPPROTO_TCP, TCP_CONGESTION, name);
        }
        catch (SocketException)
        {
            return false;
        }

        var end = name[..length].IndexOf((byte)0);
        if (end >= 0)
        {
            length = end;
        }

        return true;
    }
}

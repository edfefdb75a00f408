using System.Net;
using System.Net.Sockets;

namespace ZProxy.Testing;

/// <summary>Ports for servers that cannot be told to bind port 0 (a process started with fixed URLs).</summary>
public static class FreePort
{
    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int Next()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}

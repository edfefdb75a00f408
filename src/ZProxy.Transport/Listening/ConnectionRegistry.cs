using System.Collections.Concurrent;
using ZProxy.Transport.Connections;

namespace ZProxy.Transport.Listening;

/// <summary>
/// Live connections of one listener and the heartbeat that checks, for each, that bytes sent by
/// reference leave at the request's minimum data rate (Kestrel cannot: it never counted them).
/// </summary>
internal sealed class ConnectionRegistry : IDisposable
{
    private readonly ConcurrentDictionary<long, ZProxyConnection> _connections = new();
    private readonly TimeProvider _time;
    private readonly ITimer _timer;

    public ConnectionRegistry(ZProxyTransportOptions options)
    {
        _time = options.TimeProvider;
        _timer = _time.CreateTimer(static state => ((ConnectionRegistry)state!).OnHeartbeat(), this, options.HeartbeatInterval, options.HeartbeatInterval);
    }

    public int Count => _connections.Count;

    public void Add(long id, ZProxyConnection connection) => _connections[id] = connection;

    public void Remove(long id) => _connections.TryRemove(id, out _);

    private void OnHeartbeat()
    {
        var now = _time.GetTimestamp();
        foreach (var (_, connection) in _connections)
        {
            connection.CheckSendRate(now);
        }
    }

    public void Dispose() => _timer.Dispose();
}

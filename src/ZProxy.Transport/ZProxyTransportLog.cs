using Microsoft.Extensions.Logging;

namespace ZProxy.Transport;

/// <summary>Log messages of the transport. Event names are a contract: renaming one is not a refactor.</summary>
internal static partial class ZProxyTransportLog
{
    [LoggerMessage(1, LogLevel.Debug, "Connection id \"{ConnectionId}\" received FIN.", EventName = "ConnectionReadFin")]
    public static partial void ConnectionReadFin(ILogger logger, string connectionId);

    [LoggerMessage(2, LogLevel.Debug, "Connection id \"{ConnectionId}\" reset.", EventName = "ConnectionReset")]
    public static partial void ConnectionReset(ILogger logger, string connectionId);

    [LoggerMessage(3, LogLevel.Error, "Unexpected error in connection id \"{ConnectionId}\".", EventName = "UnexpectedError")]
    public static partial void UnexpectedError(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(4, LogLevel.Information, "Connection id \"{ConnectionId}\" aborted: bytes sent by reference were not read at the minimum response data rate.", EventName = "ResponseRateTooSlow")]
    public static partial void ResponseRateTooSlow(ILogger logger, string connectionId);

    [LoggerMessage(5, LogLevel.Debug, "Listening on {EndPoint}, TCP congestion control {CongestionControl}.", EventName = "Listening")]
    public static partial void Listening(ILogger logger, System.Net.EndPoint endPoint, string congestionControl);

    [LoggerMessage(6, LogLevel.Debug, "Accept failed with a connection reset; continuing.", EventName = "AcceptReset")]
    public static partial void AcceptReset(ILogger logger);
}

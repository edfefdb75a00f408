using Microsoft.Extensions.Logging;

namespace ZProxy.Proxy.Diagnostics;

/// <summary>Log events of the forwarding path. Event ids and names are a contract with log queries.</summary>
internal static partial class ProxyLog
{
    [LoggerMessage(EventId = 1001, EventName = "ForwardFailed", Level = LogLevel.Warning,
        Message = "Forwarding {Method} failed ({ErrorType}); answered {StatusCode}.")]
    public static partial void ForwardFailed(ILogger logger, string method, string errorType, int statusCode, Exception? exception);
}

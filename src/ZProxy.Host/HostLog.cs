using ZProxy.Host.Transport;

namespace ZProxy.Host;

/// <summary>Log events of the host. Event ids and names are a contract with log queries.</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 100, EventName = "AdminListening", Level = LogLevel.Information,
        Message = "Admin listener on {Urls}; Prometheus metrics at {MetricsPath}.")]
    public static partial void AdminListening(ILogger logger, string urls, string metricsPath);

    [LoggerMessage(EventId = 101, EventName = "DemoOriginListening", Level = LogLevel.Information,
        Message = "Demo origin on {Urls} (turn off with ZProxy:DemoOrigin:Enabled=false).")]
    public static partial void DemoOriginListening(ILogger logger, string urls);

    [LoggerMessage(EventId = 102, EventName = "TransportChosen", Level = LogLevel.Information,
        Message = "Transport {Mode}, scheduling {Scheduling} (socket completions on the runtime's event threads: {InlineCompletions}).")]
    public static partial void TransportChosen(ILogger logger, TransportMode mode, TransportScheduling scheduling, bool inlineCompletions);
}

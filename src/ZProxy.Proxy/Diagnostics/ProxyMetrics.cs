using System.Diagnostics.Metrics;
using ZProxy.Telemetry;

namespace ZProxy.Proxy.Diagnostics;

/// <summary>Instruments of the forwarding path, on the <c>ZProxy.Proxy</c> meter.</summary>
internal sealed class ProxyMetrics
{
    private readonly Counter<long> _forwardErrors;

    public ProxyMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ZProxyTelemetry.ProxyMeterName);
        _forwardErrors = meter.CreateCounter<long>(
            "zproxy.proxy.forward.errors",
            unit: "{error}",
            description: "Requests whose forwarding to an origin failed, by kind of failure.");
    }

    public void ForwardError(string errorType)
    {
        if (_forwardErrors.Enabled)
        {
            _forwardErrors.Add(1, new KeyValuePair<string, object?>("error.type", errorType));
        }
    }
}

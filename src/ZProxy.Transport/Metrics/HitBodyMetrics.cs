using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace ZProxy.Transport.Metrics;

/// <summary>
/// Instruments of the hit body path, on the meter <c>ZProxy.Transport</c>:
/// <c>zproxy.hit.body.bytes</c> (By) tagged <c>path</c> = reference | sendfile | copy, and
/// <c>zproxy.hit.copy.fallbacks</c> ({fallback}) tagged <c>reason</c> (see <see cref="HitBodyCopyReasons"/>).
/// </summary>
internal sealed class HitBodyMetrics
{
    public const string MeterName = "ZProxy.Transport";
    public const string BodyBytesName = "zproxy.hit.body.bytes";
    public const string CopyFallbacksName = "zproxy.hit.copy.fallbacks";

    private readonly Counter<long> _bodyBytes;
    private readonly Counter<long> _copyFallbacks;

    public HitBodyMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _bodyBytes = meter.CreateCounter<long>(BodyBytesName, unit: "By", description: "Bytes of cache-hit bodies handed to the transport, by path.");
        _copyFallbacks = meter.CreateCounter<long>(CopyFallbacksName, unit: "{fallback}", description: "Cache-hit bodies (or parts) that were copied instead of sent by reference, by reason.");
    }

    public void BodyBytes(string path, long bytes)
    {
        if (bytes > 0 && _bodyBytes.Enabled)
        {
            RecordBodyBytes(path, bytes);
        }
    }

    public void CopyFallback(string reason)
    {
        if (_copyFallbacks.Enabled)
        {
            RecordCopyFallback(reason);
        }
    }

    // Tags are built out of line, as Kestrel's metrics do, so the disabled path stays cheap.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordBodyBytes(string path, long bytes) => _bodyBytes.Add(bytes, new KeyValuePair<string, object?>("path", path));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordCopyFallback(string reason) => _copyFallbacks.Add(1, new KeyValuePair<string, object?>("reason", reason));
}

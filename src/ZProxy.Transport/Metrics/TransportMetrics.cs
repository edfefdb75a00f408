using System.Diagnostics.Metrics;
using ZProxy.Transport.Connections;

namespace ZProxy.Transport.Metrics;

/// <summary>
/// The send loops' system calls, on the meter <c>ZProxy.Transport</c>, read from <see cref="SendCounters"/>
/// when collected (nothing is recorded per call beyond an interlocked add):
/// <c>zproxy.transport.sent.bytes</c> (By) tagged <c>call</c> = sendmsg | sendfile | send, and
/// <c>zproxy.transport.send.calls</c> ({call}) tagged <c>call</c> and <c>result</c> = complete | partial |
/// would_block. Partial and would-block sendmsg calls mean the client's socket, not the proxy, sets the pace.
/// </summary>
internal static class TransportMetrics
{
    public const string SentBytesName = "zproxy.transport.sent.bytes";
    public const string SendCallsName = "zproxy.transport.send.calls";

    public static void Register(IMeterFactory meterFactory, SendCounters counters)
    {
        var meter = meterFactory.Create(HitBodyMetrics.MeterName);
        meter.CreateObservableCounter(
            SentBytesName,
            () => new Measurement<long>[]
            {
                new(counters.SendmsgBytes, new KeyValuePair<string, object?>("call", "sendmsg")),
                new(counters.SendfileBytes, new KeyValuePair<string, object?>("call", "sendfile")),
                new(counters.SendAsyncBytes, new KeyValuePair<string, object?>("call", "send")),
            },
            unit: "By",
            description: "Bytes the kernel took from the send loops, by system call.");
        meter.CreateObservableCounter(
            SendCallsName,
            () => new Measurement<long>[]
            {
                new(counters.SendmsgComplete, new("call", "sendmsg"), new("result", "complete")),
                new(counters.SendmsgPartial, new("call", "sendmsg"), new("result", "partial")),
                new(counters.SendmsgWouldBlock, new("call", "sendmsg"), new("result", "would_block")),
                new(counters.SendfileCalls, new("call", "sendfile"), new("result", "complete")),
                new(counters.SendAsyncCalls, new("call", "send"), new("result", "complete")),
            },
            unit: "{call}",
            description: "System calls of the send loops, by call and result.");
    }
}

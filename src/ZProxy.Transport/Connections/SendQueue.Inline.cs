using static ZProxy.Native.Interop;

namespace ZProxy.Transport.Connections;

/// <summary>
/// Inline sends: a flush whose bytes the idle send loop would otherwise be woken for is sent by
/// the flushing thread itself, in one non-blocking gathered <c>sendmsg(2)</c>. That saves the
/// thread-pool hop and context switch per response that dominate small hits. Whatever the kernel
/// does not take (socket buffer full) is left to the send loop, which waits for writability.
/// </summary>
/// <remarks>
/// Exactly one thread holds the send role at a time (the loop, or one flushing thread), because
/// the holder reads queued memory outside the lock and frees what was sent; the role is taken
/// and given back under <see cref="_sync"/>.
/// </remarks>
internal sealed partial class SendQueue
{
    // A hit is a few header blocks and a few sealed runs; more is left to the loop.
    private const int InlineVectors = 16;
    private readonly IInlineSender? _inlineSender;

    // The connection's limit per sendmsg(2) (see ZProxyTransportOptions.PacedSendLimit).
    private readonly long _maxInlineBytes;

    // Who holds the send role: the loop between a Gather that found work and the next Gather,
    // or a flushing thread between TryBeginInlineSend and EndInlineSend.
    private bool _loopSending;
    private bool _inlineSending;

    /// <summary>
    /// Sends committed bytes from the flushing thread when the loop is idle. Returns whether the
    /// send loop must still be signalled (bytes left, completion, or abort).
    /// </summary>
    private unsafe bool SendInline()
    {
        var vectors = stackalloc IOVector[InlineVectors];
        int count;
        bool fileFollows;
        lock (_sync)
        {
            if (!TryBeginInlineSendUnsynchronized(vectors, InlineVectors, _maxInlineBytes, out count, out fileFollows))
            {
                return true;
            }
        }

        long sent = 0;
        try
        {
            sent = _inlineSender!.TrySend(vectors, count, fileFollows);
        }
        finally
        {
            if (sent > 0)
            {
                Consume(sent);
            }
        }

        lock (_sync)
        {
            _inlineSending = false;
            if (_sendLoopDone)
            {
                // The loop exited while this thread was sending, and left the release to it.
                ReleaseAllUnsynchronized();
                return false;
            }

            return _aborted || _writerCompleted || _unsentOwnedBytes > 0 || _unsentReferenceBytes > 0;
        }
    }

    private unsafe bool TryBeginInlineSendUnsynchronized(IOVector* vectors, int maxVectors, long maxBytes, out int count, out bool fileFollows)
    {
        count = 0;
        fileFollows = false;
        if (_inlineSender is null || _loopSending || _inlineSending || _aborted || _sendLoopDone)
        {
            return false;
        }

        // A sendfile head, or nothing to send: the loop's business.
        if (GatherUnsynchronized(vectors, maxVectors, maxBytes, out count, out fileFollows) != SendWork.Gather)
        {
            count = 0;
            return false;
        }

        _inlineSending = true;
        return true;
    }
}

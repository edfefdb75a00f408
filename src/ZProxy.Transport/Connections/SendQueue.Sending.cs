using System.IO.Pipelines;
using System.Runtime.InteropServices;
using static ZProxy.Native.Interop;

namespace ZProxy.Transport.Connections;

/// <summary>The send loop's side of the queue: gather, consume, and final release.</summary>
internal sealed partial class SendQueue
{
    /// <summary>
    /// Describes the committed, unsent bytes from the head as iovecs (at most <paramref name="maxVectors"/>
    /// and <paramref name="maxBytes"/>; the last iovec may cover part of a segment). The pointers stay
    /// valid until <see cref="Consume"/> or <see cref="OnSendLoopExit"/>, because only the send loop frees.
    /// <paramref name="fileFollows"/> says a sendfile segment comes right after the gathered bytes.
    /// </summary>
    public unsafe SendWork Gather(IOVector* vectors, int maxVectors, long maxBytes, out int count, out bool fileFollows)
    {
        count = 0;
        fileFollows = false;
        lock (_sync)
        {
            if (_inlineSending)
            {
                // A flushing thread holds the send role; it signals the loop if it leaves bytes.
                _loopSending = false;
                return _aborted ? SendWork.Done : SendWork.Wait;
            }

            var work = GatherUnsynchronized(vectors, maxVectors, maxBytes, out count, out fileFollows);
            _loopSending = work is SendWork.Gather or SendWork.Sendfile;
            return work;
        }
    }

    private unsafe SendWork GatherUnsynchronized(IOVector* vectors, int maxVectors, long maxBytes, out int count, out bool fileFollows)
    {
        count = 0;
        fileFollows = false;
        if (_aborted)
        {
            return SendWork.Done;
        }

        long bytes = 0;
        var segment = _head;
        while (segment is not null && count < maxVectors && bytes < maxBytes)
        {
            var available = segment.Committed - segment.Sent;
            if (available == 0 || segment.Freed)
            {
                if (segment == _tail || segment.Committed < segment.Written)
                {
                    break;
                }

                segment = segment.Next;
                continue;
            }

            if (segment.UseSendfile)
            {
                if (count == 0)
                {
                    return SendWork.Sendfile;
                }

                fileFollows = true;
                break;
            }

            var start = segment.Block is { } block
                ? BlockPointer(block)
                : (byte*)segment.ReferencePin.Pointer;
            var take = Math.Min(available, maxBytes - bytes);
            vectors[count].Base = start + segment.Sent;
            vectors[count].Count = (nuint)take;
            count++;
            bytes += take;

            if (take < available || segment.Committed < segment.Written)
            {
                break;
            }

            segment = segment.Next;
        }

        if (count > 0)
        {
            return SendWork.Gather;
        }

        return _writerCompleted && _unsentOwnedBytes == 0 && _unsentReferenceBytes == 0 ? SendWork.Done : SendWork.Wait;
    }

    /// <summary>
    /// The first committed, unsent run of bytes (at most <paramref name="maxBytes"/>), for sending
    /// through <c>Socket.SendAsync</c>, which waits for the socket to become writable. For a
    /// sendfile segment, also its file and file offset.
    /// </summary>
    public ReadOnlyMemory<byte> GetHeadRun(int maxBytes, out SafeHandle? file, out long fileOffset)
    {
        file = null;
        fileOffset = 0;
        lock (_sync)
        {
            if (_aborted)
            {
                return ReadOnlyMemory<byte>.Empty;
            }

            var segment = _head;
            while (segment is not null)
            {
                var available = segment.Committed - segment.Sent;
                if (available > 0 && !segment.Freed)
                {
                    var length = Math.Min(available, maxBytes);
                    if (segment.Block is { } block)
                    {
                        return block.AsMemory(segment.Sent, length);
                    }

                    if (segment.UseSendfile)
                    {
                        file = segment.File;
                        fileOffset = segment.FileOffset + segment.Sent;
                    }

                    return segment.Reference.Slice(segment.Sent, length);
                }

                if (segment == _tail || segment.Committed < segment.Written)
                {
                    break;
                }

                segment = segment.Next;
            }

            return ReadOnlyMemory<byte>.Empty;
        }
    }

    /// <summary>True when the writer completed and everything was sent, or the connection was aborted.</summary>
    public bool IsDrainedAndCompleted()
    {
        lock (_sync)
        {
            return _aborted || (_writerCompleted && _unsentOwnedBytes == 0 && _unsentReferenceBytes == 0);
        }
    }

    /// <summary>Records that the kernel took <paramref name="bytes"/> from the head; frees what is done.</summary>
    public void Consume(long bytes)
    {
        var resume = false;
        lock (_sync)
        {
            var segment = _head;
            while (bytes > 0 && segment is not null)
            {
                var available = segment.Committed - segment.Sent;
                if (available > 0 && !segment.Freed)
                {
                    var taken = (int)Math.Min(available, bytes);
                    segment.Sent += taken;
                    bytes -= taken;
                    if (segment.IsReference)
                    {
                        _unsentReferenceBytes -= taken;
                    }
                    else
                    {
                        _unsentOwnedBytes -= taken;
                    }

                    if (segment.Sent < segment.Committed)
                    {
                        break;
                    }
                }

                segment = segment.Next;
            }

            TrimHeadUnsynchronized();
            resume = _flushPending && CanResumeUnsynchronized();
        }

        if (resume)
        {
            CompleteFlush();
        }
    }

    private void TrimHeadUnsynchronized()
    {
        while (_head is { } head)
        {
            if (!head.Freed)
            {
                if (head.Sent < head.Written)
                {
                    return;
                }

                if (head == _tail)
                {
                    // Kestrel may still write into the free part of the tail block (its
                    // BufferWriter keeps a span across Advance), so a block stays until something
                    // follows it. A sealed reference can go now: an idle keep-alive connection
                    // must not hold a lease.
                    if (head.IsReference)
                    {
                        head.Free(_pool);
                    }

                    return;
                }

                head.Free(_pool);
            }

            if (head == _tail)
            {
                return;
            }

            // Nothing links to a freed head once it is unlinked, except the commit cursor: move
            // that on too (nothing is written into a segment that is neither the tail nor unsent).
            _head = head.Next;
            if (_commitFrom == head)
            {
                _commitFrom = _head;
            }

            RecycleSegmentUnsynchronized(head);
        }
    }

    /// <summary>
    /// Called once by the send loop when it ends (drained, reset or aborted): releases every owner
    /// and block still queued and completes a pending flush. Later writes are discarded.
    /// </summary>
    public void OnSendLoopExit()
    {
        lock (_sync)
        {
            // An arm in progress is left alone: its Advance still completes the hand-off (and
            // queues nothing, the connection being gone), so the caller does not mistake an
            // aborted connection for a broken one.
            _sendLoopDone = true;

            // A flushing thread inside sendmsg(2) on these segments releases them itself when it
            // gives the send role back (EndInlineSend).
            if (!_inlineSending)
            {
                ReleaseAllUnsynchronized();
            }
        }

        CompleteFlush(result: new FlushResult(isCanceled: false, isCompleted: true));
    }

    private void ReleaseAllUnsynchronized()
    {
        var segment = _head;
        while (segment is not null)
        {
            if (!segment.Freed)
            {
                // Kestrel may still write into the tail block until it completes the writer: keep
                // it from other connections until then (Complete returns it), and only then.
                if (segment == _tail && !_writerCompleted && segment.Block is { } block)
                {
                    _retiredTail = block;
                    segment.Free(_pool, returnBlock: false);
                }
                else
                {
                    segment.Free(_pool);
                }
            }

            segment = segment.Next;
        }

        _head = _tail = _commitFrom = null;
        _unsentOwnedBytes = 0;
        _unsentReferenceBytes = 0;
    }
}

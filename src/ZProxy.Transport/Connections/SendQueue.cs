using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using ZProxy.PageBlocks;
using ZProxy.Transport.Buffers;

namespace ZProxy.Transport.Connections;

/// <summary>
/// The connection's output: a <see cref="PipeWriter"/> for Kestrel whose bytes go into pinned
/// blocks the transport owns, plus an ordered queue into which a caller on the request thread
/// can slip a reference to sealed memory through the armed <c>GetMemory</c>/<c>Advance</c>
/// handshake (see <see cref="TryArm"/>). The send loop drains the queue in order.
/// </summary>
/// <remarks>
/// Threading: Kestrel calls the writer methods under its own output lock, one at a time, but not
/// always from the request thread (its ConcurrentPipeWriter copies buffered bytes in from a flush
/// continuation). The send loop runs concurrently. Everything shared is guarded by
/// <see cref="_sync"/>; writes into a block's free space happen outside it, but only the send
/// loop ever frees a segment, and it never reads past <see cref="SendSegment.Committed"/>.
/// </remarks>
internal sealed partial class SendQueue : PipeWriter, IValueTaskSource<FlushResult>
{
    private readonly Lock _sync = new();
    private readonly PinnedBlockPool _pool;
    private readonly AsyncSignal _sendSignal;
    private readonly TimeProvider _time;
    private readonly long _pauseThreshold;
    private readonly long _resumeThreshold;
    private readonly long _behindReferenceCap;
    private readonly long? _sendfileThreshold;

    private SendSegment? _head;
    private SendSegment? _tail;
    private SendSegment? _commitFrom;
    private long _unflushedBytes;

    // Segments trimmed from the head, kept for the next appends (linked through Next): a hit by
    // reference takes two or three, which were two or three allocations per response.
    private const int MaxSpareSegments = 4;
    private SendSegment? _spare;
    private int _spareCount;

    private long _unsentOwnedBytes;
    private long _unsentReferenceBytes;
    private long _referenceDeadline;

    private bool _writerCompleted;
    private bool _aborted;
    private bool _sendLoopDone;
    private byte[]? _scratch;

    // The tail block when the send loop ended before Kestrel completed the writer: Kestrel may
    // still hold a span into it. Complete returns it to the pool (a pinned block per connection
    // left to the GC would pile up on the pinned heap until a full collection).
    private byte[]? _retiredTail;

    // The pending flush, when owned bytes are above the pause threshold.
    private ManualResetValueTaskSourceCore<FlushResult> _flushCore = new() { RunContinuationsAsynchronously = true };
    private bool _flushPending;
    private bool _cancelNextFlush;
    private CancellationTokenRegistration _flushRegistration;

    // The arm: at most one, valid for one exact GetMemory on the arming thread, then one Advance.
    private int _armThreadId;
    private bool _armHandedOut;
    private Memory<byte> _armMemory;
    private SealedSegment _armSegment;
    private ISealedMemoryOwner? _armOwner;
    private MinDataRate? _armRate;
    private bool _armSendfile;
    private int _armAdvancedBytes;

    public SendQueue(PinnedBlockPool pool, AsyncSignal sendSignal, ZProxyTransportOptions options, IInlineSender? inlineSender = null, long maxInlineBytes = 1024 * 1024)
    {
        _pool = pool;
        _sendSignal = sendSignal;
        _inlineSender = inlineSender;
        _maxInlineBytes = maxInlineBytes;
        _time = options.TimeProvider;
        _pauseThreshold = options.MaxWriteBufferSize ?? 0;
        _resumeThreshold = _pauseThreshold / 2;
        _behindReferenceCap = _pauseThreshold * BehindReferenceFactor;
        // sendfile(2) is issued only by the Linux gather loop; elsewhere a file segment is sent
        // from its mapping, and must not be counted as sent by sendfile.
        _sendfileThreshold = OperatingSystem.IsLinux() && options.UseGatheredSend ? options.SendfileThreshold : null;
    }

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes
    {
        get
        {
            lock (_sync)
            {
                return _unflushedBytes;
            }
        }
    }

    /// <summary>Whether a flush is waiting for owned bytes to drain.</summary>
    public bool HasPendingFlush
    {
        get
        {
            lock (_sync)
            {
                return _flushPending;
            }
        }
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        lock (_sync)
        {
            if (_armThreadId != 0)
            {
                // The only call that may receive sealed memory: the exact size, on the arming
                // thread, once. Anything else disarms, so a stray GetMemory (Kestrel writing a
                // chunk prefix, ConcurrentPipeWriter copying in from another thread) always gets
                // writable memory of our own.
                if (!_armHandedOut && _armThreadId == Environment.CurrentManagedThreadId && sizeHint == _armMemory.Length)
                {
                    _armHandedOut = true;
                    return _armMemory;
                }

                ClearArmUnsynchronized();
            }

            return GetOwnedMemoryUnsynchronized(sizeHint);
        }
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        lock (_sync)
        {
            ClearArmUnsynchronized();
            return GetOwnedMemoryUnsynchronized(sizeHint).Span;
        }
    }

    public override void Advance(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_sync)
        {
            if (_armThreadId != 0)
            {
                var handedOut = _armHandedOut && _armThreadId == Environment.CurrentManagedThreadId;
                if (handedOut)
                {
                    var length = _armMemory.Length;
                    if (bytes > length)
                    {
                        ClearArmUnsynchronized();
                        throw new ArgumentOutOfRangeException(nameof(bytes), "Cannot advance past the armed segment.");
                    }

                    var segment = _armSegment;
                    var owner = _armOwner!;
                    var rate = _armRate;
                    var sendfile = _armSendfile;
                    ClearArmUnsynchronized();
                    if (bytes > 0)
                    {
                        EnqueueReferenceUnsynchronized(segment, bytes, owner, rate, sendfile);
                    }

                    _armAdvancedBytes = bytes;
                    return;
                }

                ClearArmUnsynchronized();
            }

            if (_sendLoopDone)
            {
                return;
            }

            // Kestrel's BufferWriter keeps writing into the rest of a span after Advance without
            // asking again (Pipe tolerates it), so any room left in the tail block is fair game.
            var tail = _tail;
            if (tail?.Block is not { } block)
            {
                if (bytes == 0)
                {
                    return;
                }

                throw new InvalidOperationException("Advance was called without a preceding GetMemory or GetSpan.");
            }

            if (bytes > block.Length - tail.Written)
            {
                throw new ArgumentOutOfRangeException(nameof(bytes), "Cannot advance past the end of the buffer.");
            }

            tail.Written += bytes;
            _unflushedBytes += bytes;
        }
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        bool signal;
        lock (_sync)
        {
            ClearArmUnsynchronized();
            if (_sendLoopDone)
            {
                return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: true));
            }

            if (_flushPending)
            {
                throw new InvalidOperationException("Concurrent flushes are not supported.");
            }

            signal = CommitUnsynchronized();
        }

        // Outside the lock: the inline send holds the send role instead, and Kestrel does not
        // flush concurrently, so nothing else commits in between.
        if (signal && _inlineSender is not null)
        {
            signal = SendInline();
        }

        lock (_sync)
        {
            if (_sendLoopDone)
            {
                return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: true));
            }

            if (_cancelNextFlush)
            {
                _cancelNextFlush = false;
                if (signal)
                {
                    _sendSignal.Set();
                }

                return new ValueTask<FlushResult>(new FlushResult(isCanceled: true, isCompleted: false));
            }

            if (ShouldPauseUnsynchronized())
            {
                _flushPending = true;
                _flushCore.Reset();
                if (cancellationToken.CanBeCanceled)
                {
                    _flushRegistration = cancellationToken.UnsafeRegister(
                        static (state, token) => ((SendQueue)state!).CompleteFlush(new OperationCanceledException(token)),
                        this);
                }

                if (signal)
                {
                    _sendSignal.Set();
                }

                return new ValueTask<FlushResult>(this, _flushCore.Version);
            }
        }

        if (signal)
        {
            _sendSignal.Set();
        }

        return new ValueTask<FlushResult>(default(FlushResult));
    }

    public override void CancelPendingFlush()
    {
        lock (_sync)
        {
            if (!_flushPending)
            {
                _cancelNextFlush = true;
                return;
            }
        }

        CompleteFlush(result: new FlushResult(isCanceled: true, isCompleted: false));
    }

    public override void Complete(Exception? exception = null)
    {
        lock (_sync)
        {
            ClearArmUnsynchronized();
            if (_writerCompleted)
            {
                return;
            }

            _writerCompleted = true;
            CommitUnsynchronized();
            if (_retiredTail is { } block)
            {
                _retiredTail = null;
                _pool.ReturnArray(block);
            }
        }

        _sendSignal.Set();
    }

    /// <summary>Stops the send loop at its next step, without draining (connection abort).</summary>
    public void Abort()
    {
        lock (_sync)
        {
            _aborted = true;
        }

        _sendSignal.Set();
    }

    /// <summary>
    /// Arms the next <c>GetMemory(segment.Length)</c> on this thread to return the sealed memory
    /// itself. Returns false when it must not: a flush is pending (Kestrel then buffers in its
    /// ConcurrentPipeWriter instead of passing through), or the connection is gone. The caller
    /// must call <see cref="Disarm"/> in a finally block.
    /// </summary>
    public bool TryArm(in SealedSegment segment, ISealedMemoryOwner owner, MinDataRate? rate, out bool sendfile)
    {
        lock (_sync)
        {
            sendfile = false;
            _armAdvancedBytes = -1;
            if (_flushPending || _sendLoopDone || _writerCompleted || _aborted || segment.Memory.IsEmpty)
            {
                ClearArmUnsynchronized();
                return false;
            }

            _armThreadId = Environment.CurrentManagedThreadId;
            _armHandedOut = false;
            _armMemory = MemoryMarshal.AsMemory(segment.Memory);
            _armSegment = segment;
            _armOwner = owner;
            _armRate = rate;
            _armSendfile = sendfile = segment.File is not null && _sendfileThreshold is { } threshold && segment.Memory.Length >= threshold;
            return true;
        }
    }

    /// <summary>Ends the arm. Returns how many bytes the last armed Advance queued by reference, or -1.</summary>
    public int Disarm()
    {
        lock (_sync)
        {
            ClearArmUnsynchronized();
            var advanced = _armAdvancedBytes;
            _armAdvancedBytes = -1;
            return advanced;
        }
    }

    /// <summary>True when <paramref name="memory"/> is exactly the armed segment (same object, offset and length).</summary>
    public bool IsArmedMemory(Memory<byte> memory)
    {
        lock (_sync)
        {
            return _armThreadId != 0 && _armHandedOut && memory.Equals(_armMemory);
        }
    }

    private void ClearArmUnsynchronized()
    {
        if (_armThreadId != 0)
        {
            _armThreadId = 0;
            _armHandedOut = false;
            _armMemory = default;
            _armSegment = default;
            _armOwner = null;
            _armRate = null;
            _armSendfile = false;
        }
    }

    private Memory<byte> GetOwnedMemoryUnsynchronized(int sizeHint)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        var needed = Math.Max(sizeHint, 1);
        if (_sendLoopDone)
        {
            // The connection is gone; Kestrel may still write a response nobody will read.
            if (_scratch is null || _scratch.Length < needed)
            {
                _scratch = new byte[Math.Max(needed, PinnedBlockPool.BlockSize)];
            }

            return _scratch;
        }

        var tail = _tail;
        if (tail is { Block: { } block } && block.Length - tail.Written >= needed)
        {
            return block.AsMemory(tail.Written);
        }

        var segment = RentSegmentUnsynchronized().ForBlock(_pool.RentArray(needed));
        AppendUnsynchronized(segment);
        return segment.Block;
    }

    private void EnqueueReferenceUnsynchronized(in SealedSegment sealedSegment, int bytes, ISealedMemoryOwner owner, MinDataRate? rate, bool sendfile)
    {
        if (_sendLoopDone)
        {
            return;
        }

        var slice = bytes == sealedSegment.Memory.Length
            ? sealedSegment
            : sealedSegment with { Memory = sealedSegment.Memory[..bytes] };
        AppendUnsynchronized(RentSegmentUnsynchronized().ForReference(slice, owner, sendfile, rate));
        _unflushedBytes += bytes;
    }

    private SendSegment RentSegmentUnsynchronized()
    {
        if (_spare is not { } segment)
        {
            return new SendSegment();
        }

        _spare = segment.Next;
        _spareCount--;
        segment.Next = null;
        return segment;
    }

    /// <summary>Keeps a freed segment that was just unlinked from the head for reuse.</summary>
    private void RecycleSegmentUnsynchronized(SendSegment segment)
    {
        if (_spareCount == MaxSpareSegments)
        {
            return;
        }

        segment.Reset();
        segment.Next = _spare;
        _spare = segment;
        _spareCount++;
    }

    private void AppendUnsynchronized(SendSegment segment)
    {
        if (_tail is null)
        {
            _head = _tail = _commitFrom = segment;
            return;
        }

        _tail.Next = segment;
        _tail = segment;
        _head ??= segment;
    }

    /// <summary>Makes everything written so far visible to the send loop. Returns whether there is anything new.</summary>
    private bool CommitUnsynchronized()
    {
        var any = false;
        var segment = _commitFrom;
        while (segment is not null)
        {
            var delta = segment.Written - segment.Committed;
            if (delta > 0)
            {
                any = true;
                segment.Committed = segment.Written;
                if (segment.IsReference)
                {
                    AddReferenceBytesUnsynchronized(segment, delta);
                }
                else
                {
                    _unsentOwnedBytes += delta;
                }
            }

            _commitFrom = segment;
            segment = segment.Next;
        }

        _unflushedBytes = 0;
        return any || _writerCompleted;
    }

    private void AddReferenceBytesUnsynchronized(SendSegment segment, long bytes)
    {
        // Kestrel counts only bytes that pass through its flusher (Http1OutputProducer's
        // _unflushedBytes); bytes advanced by reference never do. So the transport keeps the
        // request's minimum rate for them itself, with Kestrel's formula (TimeoutControl.
        // BytesWrittenToBuffer): each write may take max(bytes/rate, grace) from now, or extend
        // the previous deadline by bytes/rate, whichever is later.
        var wasIdle = _unsentReferenceBytes == 0;
        _unsentReferenceBytes += bytes;
        if (segment.MinRate is not { } rate)
        {
            if (wasIdle)
            {
                _referenceDeadline = long.MaxValue;
            }

            return;
        }

        var now = _time.GetTimestamp();
        var frequency = _time.TimestampFrequency;
        var ticksAtRate = (long)(bytes / rate.BytesPerSecond * frequency);
        var graceTicks = (long)(rate.GracePeriod.TotalSeconds * frequency);
        var single = now + Math.Max(ticksAtRate, graceTicks);
        var accumulated = wasIdle || _referenceDeadline == long.MaxValue ? single : _referenceDeadline + ticksAtRate;
        _referenceDeadline = Math.Max(single, accumulated);
    }

    // Owned bytes queued behind an unsent sealed reference may reach this many times the pause
    // threshold before a flush waits (see ShouldPauseUnsynchronized).
    private const int BehindReferenceFactor = 16;

    /// <summary>
    /// Whether a flush must wait. Like Kestrel's socket transport, when owned bytes exceed the
    /// pause threshold, but owned bytes queued behind an unsent sealed reference count only
    /// against a larger cap: Kestrel times a waiting flush against the bytes it flushed, and the
    /// wait would include draining the reference, which it never counted, so a client reading
    /// at a legal rate would be cut off. The cap still bounds the memory a pipelining client can
    /// make the transport hold behind a slow reference.
    /// </summary>
    private bool ShouldPauseUnsynchronized()
        => _pauseThreshold > 0 && (OwnedBytesAheadOfReferencesUnsynchronized(_pauseThreshold) > _pauseThreshold || _unsentOwnedBytes > _behindReferenceCap);

    private bool CanResumeUnsynchronized()
        => _pauseThreshold == 0 || (OwnedBytesAheadOfReferencesUnsynchronized(_resumeThreshold) <= _resumeThreshold && _unsentOwnedBytes <= _behindReferenceCap / 2);

    /// <summary>
    /// Committed, unsent owned bytes before the first unsent reference; stops counting past
    /// <paramref name="limit"/>, so the walk is bounded by about limit / 4 KiB segments.
    /// </summary>
    private long OwnedBytesAheadOfReferencesUnsynchronized(long limit)
    {
        if (_unsentReferenceBytes == 0)
        {
            return _unsentOwnedBytes;
        }

        long owned = 0;
        for (var segment = _head; segment is not null && owned <= limit; segment = segment.Next)
        {
            var unsent = segment.Committed - segment.Sent;
            if (segment.Freed || unsent <= 0)
            {
                continue;
            }

            if (segment.IsReference)
            {
                break;
            }

            owned += unsent;
        }

        return owned;
    }

    /// <summary>True when bytes sent by reference are overdue at the request's minimum rate.</summary>
    public bool IsReferenceSendOverdue(long now)
    {
        lock (_sync)
        {
            return _unsentReferenceBytes > 0 && now > _referenceDeadline;
        }
    }

    private void CompleteFlush(Exception? error = null, FlushResult result = default)
    {
        CancellationTokenRegistration registration;
        lock (_sync)
        {
            if (!_flushPending)
            {
                return;
            }

            _flushPending = false;
            registration = _flushRegistration;
            _flushRegistration = default;
            if (error is not null)
            {
                _flushCore.SetException(error);
            }
            else
            {
                _flushCore.SetResult(result);
            }
        }

        registration.Dispose();
    }

    FlushResult IValueTaskSource<FlushResult>.GetResult(short token) => _flushCore.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<FlushResult>.GetStatus(short token) => _flushCore.GetStatus(token);

    void IValueTaskSource<FlushResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _flushCore.OnCompleted(continuation, state, token, flags);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe byte* BlockPointer(byte[] block) => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(block));
}

using HdrHistogram;

namespace ZProxy.LoadTests.Scenarios.Scenario;

/// <summary>Counters and latency histograms shared by the workers (thread-safe).</summary>
internal sealed class ScenarioStats
{
    // Latencies in microseconds, 1 µs to 60 s, 3 significant digits.
    private const long HighestMicroseconds = 60_000_000;

    private readonly long[,] _counts = new long[Enum.GetValues<Operation>().Length, Enum.GetValues<Outcome>().Length];
    private readonly LongConcurrentHistogram[] _byOperation;
    private LongConcurrentHistogram _interval = NewHistogram();
    private long _bodyBytes;
    private long _verified;
    private long _mismatches;
    private long _completed;

    public ScenarioStats()
    {
        _byOperation = Enum.GetValues<Operation>().Select(_ => NewHistogram()).ToArray();
        All = NewHistogram();
    }

    public LongConcurrentHistogram All { get; }

    public long Completed => Interlocked.Read(ref _completed);

    public long BodyBytes => Interlocked.Read(ref _bodyBytes);

    public long Verified => Interlocked.Read(ref _verified);

    public long Mismatches => Interlocked.Read(ref _mismatches);

    public List<string> ErrorSamples { get; } = [];

    public Dictionary<string, long> ErrorKinds { get; } = new(StringComparer.Ordinal);

    public long Count(Operation operation, Outcome outcome) => Interlocked.Read(ref _counts[(int)operation, (int)outcome]);

    public long Count(Outcome outcome) => Enum.GetValues<Operation>().Sum(o => Count(o, outcome));

    public long Count(Operation operation) => Enum.GetValues<Outcome>().Sum(o => Count(operation, o));

    public LongConcurrentHistogram Latency(Operation operation) => _byOperation[(int)operation];

    public void Record(Operation operation, Outcome outcome, long microseconds, long bodyBytes)
    {
        var value = Math.Clamp(microseconds, 1, HighestMicroseconds);
        _byOperation[(int)operation].RecordValue(value);
        All.RecordValue(value);
        Volatile.Read(ref _interval).RecordValue(value);
        Interlocked.Increment(ref _counts[(int)operation, (int)outcome]);
        Interlocked.Add(ref _bodyBytes, bodyBytes);
        Interlocked.Increment(ref _completed);
    }

    public void BodyVerified() => Interlocked.Increment(ref _verified);

    public void Error(Operation operation, string kind, string detail, long microseconds, bool bodyMismatch = false)
    {
        if (bodyMismatch)
        {
            Interlocked.Increment(ref _mismatches);
        }

        lock (ErrorKinds)
        {
            ErrorKinds[kind] = ErrorKinds.GetValueOrDefault(kind) + 1;
            if (ErrorSamples.Count < 10)
            {
                ErrorSamples.Add($"{operation}: {kind}: {detail}");
            }
        }

        Record(operation, Outcome.Error, microseconds, 0);
    }

    /// <summary>Latencies since the previous call (for the progress line).</summary>
    public LongConcurrentHistogram TakeInterval() => Interlocked.Exchange(ref _interval, NewHistogram());

    private static LongConcurrentHistogram NewHistogram() => new(1, HighestMicroseconds, 3);
}

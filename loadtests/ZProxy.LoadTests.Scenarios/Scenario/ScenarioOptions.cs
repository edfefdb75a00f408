using System.Globalization;

namespace ZProxy.LoadTests.Scenarios.Scenario;

/// <summary>What the scenario runner does; parsed from <c>run --name value</c> options.</summary>
internal sealed class ScenarioOptions
{
    public const string Usage = """
        usage: ZProxy.LoadTests.Scenarios run --proxy URL [options]
          --proxy URL          ZProxy's public address, e.g. http://127.0.0.1:8080 (required)
          --admin URL          ZProxy's admin listener: enables purges and store-memory sampling
          --origin URL         the load-test origin: its checksums are cross-checked and its counters reported
          --duration 30s       how long to send requests (s, ms or m suffix)
          --connections 32     concurrent requests (keep-alive connections)
          --rate 0             requests/s on a fixed schedule (latency counted from the scheduled time); 0 = closed loop
          --keys 20000         Zipf-distributed objects in the working set (make their bytes exceed the store)
          --zipf 1.0           Zipf exponent (higher = more skewed, more hits)
          --mix get=90,miss=4,revalidate=4,purge=2
                               operation weights: get = a Zipf key (hit unless evicted or purged);
                               miss = a never-seen key; revalidate = one of --revalidate-keys objects
                               with max-age=--revalidate-ttl (stale, so conditional to the origin);
                               purge = POST {admin}/cache/purge?url= of a Zipf key
          --sizes 1k=50,16k=30,128k=15,1m=5
                               body-size weights (k, m suffixes; each key's size is fixed by its id)
          --revalidate-keys 200 --revalidate-ttl 1
          --seed 1             random seed (keys, sizes and operations are reproducible per seed)
          --out DIR            write summary.md, summary.json and memory.csv there
        """;

    public required Uri Proxy { get; init; }

    public Uri? Admin { get; init; }

    public Uri? Origin { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    public int Connections { get; init; } = 32;

    public double Rate { get; init; }

    public int Keys { get; init; } = 20_000;

    public double ZipfExponent { get; init; } = 1.0;

    public IReadOnlyList<(Operation Operation, double Weight)> Mix { get; init; } =
        [(Operation.Get, 90), (Operation.Miss, 4), (Operation.Revalidate, 4), (Operation.Purge, 2)];

    public IReadOnlyList<(int Size, double Weight)> Sizes { get; init; } =
        [(1024, 50), (16 * 1024, 30), (128 * 1024, 15), (1024 * 1024, 5)];

    public int RevalidateKeys { get; init; } = 200;

    public int RevalidateTtlSeconds { get; init; } = 1;

    public int Seed { get; init; } = 1;

    public string? OutDirectory { get; init; }

    public static ScenarioOptions Parse(Arguments args)
    {
        var options = new ScenarioOptions
        {
            Proxy = new Uri(args.Required("proxy")),
            Admin = args.String("admin") is { } admin ? new Uri(admin) : null,
            Origin = args.String("origin") is { } origin ? new Uri(origin) : null,
            Duration = args.Duration("duration", TimeSpan.FromSeconds(30)),
            Connections = args.Int("connections", 32),
            Rate = args.Double("rate", 0),
            Keys = args.Int("keys", 20_000),
            ZipfExponent = args.Double("zipf", 1.0),
            Mix = args.String("mix") is { } mix ? ParseWeights(mix, ParseOperation) : [(Operation.Get, 90), (Operation.Miss, 4), (Operation.Revalidate, 4), (Operation.Purge, 2)],
            Sizes = args.String("sizes") is { } sizes ? ParseWeights(sizes, ParseSize) : [(1024, 50), (16 * 1024, 30), (128 * 1024, 15), (1024 * 1024, 5)],
            RevalidateKeys = args.Int("revalidate-keys", 200),
            RevalidateTtlSeconds = args.Int("revalidate-ttl", 1),
            Seed = args.Int("seed", 1),
            OutDirectory = args.String("out"),
        };

        if (options.Connections < 1 || options.Keys < 1 || options.RevalidateKeys < 1 || options.Duration <= TimeSpan.Zero || options.Rate < 0)
        {
            throw new ArgumentException("--connections, --keys, --revalidate-keys and --duration must be positive, --rate not negative");
        }

        if (options.Mix.Any(m => m.Operation == Operation.Purge && m.Weight > 0) && options.Admin is null)
        {
            throw new ArgumentException("purges in --mix need --admin");
        }

        return options;
    }

    private static List<(T, double)> ParseWeights<T>(string text, Func<string, T> parseName)
    {
        var list = new List<(T, double)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                throw new ArgumentException($"'{part}' is not name=weight");
            }

            var weight = double.Parse(part[(eq + 1)..], CultureInfo.InvariantCulture);
            if (weight < 0)
            {
                throw new ArgumentException($"'{part}': weights must not be negative");
            }

            list.Add((parseName(part[..eq]), weight));
        }

        if (list.Sum(w => w.Item2) <= 0)
        {
            throw new ArgumentException($"'{text}': the weights add up to nothing");
        }

        return list;
    }

    private static Operation ParseOperation(string name) => name.ToLowerInvariant() switch
    {
        "get" or "hit" => Operation.Get,
        "miss" => Operation.Miss,
        "revalidate" or "revalidation" => Operation.Revalidate,
        "purge" => Operation.Purge,
        _ => throw new ArgumentException($"unknown operation '{name}' (get, miss, revalidate, purge)"),
    };

    internal static int ParseSize(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        var multiplier = t.EndsWith('k') ? 1024 : t.EndsWith('m') ? 1024 * 1024 : 1;
        var number = multiplier == 1 ? t : t[..^1];
        var size = checked(int.Parse(number, CultureInfo.InvariantCulture) * multiplier);
        return size is < 0 or > ZProxy.LoadTests.Origin.LoadTestContent.MaxObjectSize ? throw new ArgumentException($"size '{text}' out of range") : size;
    }
}

using ZProxy.LoadTests.Scenarios.BenchReport;
using ZProxy.LoadTests.Scenarios.Scenario;

namespace ZProxy.LoadTests.Scenarios;

/// <summary>
/// <c>run</c>: the scenario runner (see <see cref="ScenarioOptions"/>);
/// <c>bench-report</c>: bench.sh's table and chart from its raw runs.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine(ScenarioOptions.Usage);
            Console.WriteLine("   or: ZProxy.LoadTests.Scenarios bench-report --raw raw.tsv [--meta meta.txt] --out DIR [--baseline varnish]");
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            var options = new Arguments(args.Skip(1));
            int status;
            switch (args[0])
            {
                case "run":
                    var scenario = ScenarioOptions.Parse(options);
                    ThrowOnUnused(options);
                    status = await ScenarioRunner.RunAsync(scenario, Console.Out, Console.Error, CancellationToken.None);
                    break;
                case "bench-report":
                    var raw = options.Required("raw");
                    var meta = options.String("meta");
                    var outDirectory = options.Required("out");
                    var baseline = options.String("baseline", "varnish");
                    ThrowOnUnused(options);
                    status = BenchReportWriter.Write(raw, meta, outDirectory, baseline);
                    break;
                default:
                    Console.Error.WriteLine($"unknown command '{args[0]}' (run, bench-report)");
                    return 2;
            }

            return status;
        }
        catch (ArgumentException exception)
        {
            Console.Error.WriteLine(exception.Message);
            return 2;
        }
    }

    private static void ThrowOnUnused(Arguments options)
    {
        if (options.Unused.FirstOrDefault() is { } unused)
        {
            throw new ArgumentException($"unknown option --{unused}");
        }
    }
}

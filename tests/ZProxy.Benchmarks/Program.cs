using BenchmarkDotNet.Running;
using ZProxy.Benchmarks.Store;

namespace ZProxy.Benchmarks;

/// <summary>Entry point: BenchmarkDotNet's switcher, <c>report</c> for figures that are not timings, or <c>copyin-tail</c> for the copy-in latency distribution.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "report")
        {
            StoreReport.Write(Console.Out);
            return 0;
        }

        if (args.Length > 0 && args[0] == "copyin-tail")
        {
            CopyInTailReport.Write(Console.Out);
            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}

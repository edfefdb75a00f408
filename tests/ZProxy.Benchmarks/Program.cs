using BenchmarkDotNet.Running;
using ZProxy.Benchmarks.Store;

namespace ZProxy.Benchmarks;

/// <summary>Entry point: BenchmarkDotNet's switcher, or <c>report</c> for figures that are not timings.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "report")
        {
            StoreReport.Write(Console.Out);
            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}

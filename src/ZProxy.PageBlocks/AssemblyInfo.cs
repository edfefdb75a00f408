using System.Runtime.CompilerServices;

[module: SkipLocalsInit]
[assembly: InternalsVisibleTo("ZProxy.PageBlocks.Tests")]
[assembly: InternalsVisibleTo("ZProxy.Benchmarks")]

using System.Runtime.CompilerServices;

[module: SkipLocalsInit]
[assembly: InternalsVisibleTo("ZProxy.Transport.Tests")]
[assembly: InternalsVisibleTo("ZProxy.Benchmarks")]

using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("ZProxy.Caching.Tests")]
[assembly: InternalsVisibleTo("ZProxy.Benchmarks")]

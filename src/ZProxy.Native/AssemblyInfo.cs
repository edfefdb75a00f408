using System.Runtime.CompilerServices;

[module: SkipLocalsInit]
[assembly: InternalsVisibleTo("ZProxy.PageBlocks")]
[assembly: InternalsVisibleTo("ZProxy.Transport")]
[assembly: InternalsVisibleTo("ZProxy.PageBlocks.Tests")]
[assembly: InternalsVisibleTo("ZProxy.Transport.Tests")]

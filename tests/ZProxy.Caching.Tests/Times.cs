using ZProxy.Caching.Headers;

namespace ZProxy.Caching.Tests;

/// <summary>Fixed instants for table-driven tests.</summary>
internal static class Times
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>IMF-fixdate of T0 + <paramref name="seconds"/>.</summary>
    public static string At(double seconds) => HttpDate.Format(T0.AddSeconds(seconds));
}

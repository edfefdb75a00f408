namespace ZProxy.LoadTests.Scenarios.Scenario;

/// <summary>The store's memory at one moment, from the admin listener's <c>/cache/stats</c>.</summary>
internal readonly record struct StoreSample(double Seconds, long UsedBytes, long LimitBytes, long BodyBytes, int Objects, long Evictions);

namespace ZProxy.LoadTests.Scenarios.Scenario;

/// <summary>The origin's counters (<c>/_origin/stats</c>).</summary>
internal sealed record OriginStats(long Requests, long NotModified, long BodyBytes);

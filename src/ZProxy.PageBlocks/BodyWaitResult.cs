namespace ZProxy.PageBlocks;

/// <summary>What <see cref="BodyLease.WaitAsync"/> found.</summary>
public enum BodyWaitResult
{
    /// <summary>Bytes at the awaited position are readable now (<see cref="BodyLease.TryGetMemory"/>).</summary>
    Available,

    /// <summary>The body is complete and ends at or before the awaited position.</summary>
    Completed,

    /// <summary>The writer gave up: the body will never be complete and must not be served.</summary>
    Aborted,
}

using Microsoft.AspNetCore.Http;

namespace ZProxy.LoadTests.Origin;

/// <summary>What the origin has served: a load test compares these with what the proxy claims.</summary>
public sealed class OriginCounters
{
    private long _requests;
    private long _notModified;
    private long _bodyBytes;

    /// <summary>Requests answered (any status).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests answered 304 Not Modified (revalidations).</summary>
    public long NotModified => Interlocked.Read(ref _notModified);

    /// <summary>Body bytes sent.</summary>
    public long BodyBytes => Interlocked.Read(ref _bodyBytes);

    internal void Record(int status, long bodyBytes)
    {
        Interlocked.Increment(ref _requests);
        if (status == StatusCodes.Status304NotModified)
        {
            Interlocked.Increment(ref _notModified);
        }

        Interlocked.Add(ref _bodyBytes, bodyBytes);
    }
}

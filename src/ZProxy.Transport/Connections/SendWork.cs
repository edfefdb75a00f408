namespace ZProxy.Transport.Connections;

/// <summary>What the send loop should do next.</summary>
internal enum SendWork
{
    /// <summary>Nothing committed is left to send: wait for a flush, completion or abort.</summary>
    Wait,

    /// <summary>Send the gathered iovecs.</summary>
    Gather,

    /// <summary>The head is a sealed segment to send with sendfile(2).</summary>
    Sendfile,

    /// <summary>The writer completed and everything was sent, or the connection was aborted.</summary>
    Done,
}

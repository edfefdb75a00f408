namespace ZProxy.Caching;

/// <summary>What a shared cache does with a response that carries <c>Set-Cookie</c>.</summary>
/// <remarks>
/// RFC 9111 §7.3 notes that Set-Cookie does not by itself prevent caching, yet replaying one user's
/// cookie to every later client is a classic session-fixation and data-leak bug. ZProxy therefore
/// does not store such responses unless a route opts in.
/// </remarks>
public enum SetCookieHandling
{
    /// <summary>Do not store responses that carry Set-Cookie (the default).</summary>
    DoNotStore = 0,

    /// <summary>Store the response but drop its Set-Cookie fields from the stored copy; the client that caused the fill still receives them.</summary>
    StoreWithoutSetCookie,

    /// <summary>Store the response with its Set-Cookie fields and replay them on every hit. Only for cookies that are identical for all users.</summary>
    UnsafeStoreWithSetCookie,
}

namespace ZProxy.Caching.Validation;

/// <summary>Why a conditional request got its <see cref="ConditionalOutcome"/>.</summary>
public enum ConditionalReason
{
    /// <summary>No precondition a cache evaluates was present.</summary>
    NoPreconditions = 0,

    /// <summary>Preconditions apply to GET and HEAD only (RFC 9110 §13.2.2).</summary>
    MethodNotGetOrHead,

    /// <summary>The stored response is not 2xx, so preconditions are ignored (RFC 9110 §13.2.1).</summary>
    StoredStatusNotSuccessful,

    /// <summary>If-None-Match matched (weak comparison, or <c>*</c>): 304 (RFC 9110 §13.1.2).</summary>
    IfNoneMatchMatched,

    /// <summary>If-None-Match did not match: full response; If-Modified-Since is not consulted.</summary>
    IfNoneMatchNotMatched,

    /// <summary>Not modified since the If-Modified-Since date: 304 (RFC 9110 §13.1.3).</summary>
    NotModifiedSince,

    /// <summary>Modified after the If-Modified-Since date.</summary>
    ModifiedSince,

    /// <summary>If-Modified-Since was not a single valid HTTP-date and is ignored (RFC 9110 §13.1.3).</summary>
    IfModifiedSinceInvalid,
}

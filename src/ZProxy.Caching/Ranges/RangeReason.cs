namespace ZProxy.Caching.Ranges;

/// <summary>Why a Range request got its <see cref="RangeDecision"/>.</summary>
public enum RangeReason
{
    /// <summary>No Range field.</summary>
    NoRange = 0,

    /// <summary>Range is defined for GET only (RFC 9110 §14.2).</summary>
    MethodNotGet,

    /// <summary>Ranges are served from stored 200 responses only.</summary>
    StoredStatusNot200,

    /// <summary>A unit other than bytes (RFC 9110 §14.2: a server may ignore it).</summary>
    UnsupportedUnit,

    /// <summary>Syntactically invalid: ignored (RFC 9110 §14.2).</summary>
    InvalidSyntax,

    /// <summary>If-Range did not match: the Range is ignored (RFC 9110 §13.1.5).</summary>
    IfRangeMismatch,

    /// <summary>One satisfiable range.</summary>
    Satisfiable,

    /// <summary>No satisfiable range (RFC 9110 §15.5.17).</summary>
    Unsatisfiable,

    /// <summary>More than one Range field line: the field is not a list, so it is ignored.</summary>
    MultipleRanges,

    /// <summary>More ranges than <see cref="RangeEvaluator.MaxRanges"/>: ignored (RFC 9110 §14.2 allows it).</summary>
    TooManyRanges,
}

namespace ZProxy.Caching.Validation;

/// <summary>Result of evaluating a client's conditional GET/HEAD against a stored response.</summary>
public enum ConditionalOutcome
{
    /// <summary>Send the stored response normally (200, or 206 after range handling).</summary>
    SendFull = 0,

    /// <summary>Send 304 Not Modified with the fields <see cref="NotModifiedFields.IsSent"/> selects.</summary>
    NotModified,
}

using Microsoft.Extensions.Primitives;

namespace ZProxy.Caching.Keys;

/// <summary>
/// A cache key written into caller memory (usually the stack) instead of a new string, so a lookup
/// by key allocates nothing: <see cref="CacheKeyBuilder.Write"/> appends the primary key, and
/// <see cref="TryAppendSecondary"/> a variant's secondary key after a separator of the caller's.
/// </summary>
/// <remarks>
/// Ownership: whoever creates it calls <see cref="Dispose"/> once, when the key is no longer read; a key
/// longer than the initial memory lives in an array rented from the shared pool until then.
/// </remarks>
public ref struct CacheKeyBuffer
{
    /// <summary>A size that holds the keys of ordinary URLs without renting: 256 chars is 512 bytes of stack.</summary>
    public const int StackChars = 256;

    internal CharBuffer Chars;

    /// <summary>Starts an empty key over <paramref name="initial"/>.</summary>
    public CacheKeyBuffer(Span<char> initial)
    {
        Chars = new CharBuffer(initial);
    }

    /// <summary>The key written so far.</summary>
    public readonly ReadOnlySpan<char> Key => Chars.AsSpan();

    /// <summary>The number of chars written so far.</summary>
    public readonly int Length => Chars.Length;

    /// <summary>Appends one char (e.g. the separator between a primary and a secondary key).</summary>
    public void Append(char c) => Chars.Append(c);

    /// <summary>Drops everything from <paramref name="length"/> on (back to the primary key, say).</summary>
    public void Truncate(int length) => Chars.Truncate(length);

    /// <summary>
    /// Appends the request's secondary key under <paramref name="spec"/>, the same text
    /// <see cref="VaryKey.Compute"/> returns; false (nothing appended) for <c>Vary: *</c>, which no key matches.
    /// </summary>
    public bool TryAppendSecondary(VarySpec spec, IDictionary<string, StringValues> requestHeaders) =>
        VaryKey.TryWrite(ref Chars, spec, requestHeaders);

    /// <summary>The key as a string (allocates; for the paths that keep it).</summary>
    public override readonly string ToString() => Chars.AsSpan().ToString();

    /// <summary>Returns any rented memory. Call once.</summary>
    public void Dispose() => Chars.Dispose();
}

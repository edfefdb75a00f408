using System.Buffers;

namespace ZProxy.Caching.Keys;

/// <summary>A growable char buffer over caller-provided (usually stack) memory, renting from the shared pool only when it outgrows it.</summary>
internal ref struct CharBuffer
{
    private char[]? _rented;
    private Span<char> _chars;
    private int _length;

    public CharBuffer(Span<char> initial)
    {
        _rented = null;
        _chars = initial;
        _length = 0;
    }

    public readonly int Length => _length;

    public readonly char Last => _chars[_length - 1];

    public readonly ReadOnlySpan<char> AsSpan() => _chars[.._length];

    /// <summary>The written chars from <paramref name="start"/>, writable, for in-place rewriting that never grows them.</summary>
    public readonly Span<char> Written(int start) => _chars[start.._length];

    /// <summary>Drops everything from <paramref name="length"/> on.</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)_length, nameof(length));
        _length = length;
    }

    /// <summary>Appends <paramref name="text"/> lowercased with the invariant culture, as <see cref="string.ToLowerInvariant()"/> would.</summary>
    public void AppendLowerInvariant(ReadOnlySpan<char> text)
    {
        if (_length + text.Length > _chars.Length)
        {
            Grow(text.Length);
        }

        // Invariant casing maps UTF-16 code units one to one, so the length never changes.
        text.ToLowerInvariant(_chars.Slice(_length, text.Length));
        _length += text.Length;
    }

    public void Append(char c)
    {
        if (_length == _chars.Length)
        {
            Grow(1);
        }

        _chars[_length++] = c;
    }

    public void Append(ReadOnlySpan<char> text)
    {
        if (_length + text.Length > _chars.Length)
        {
            Grow(text.Length);
        }

        text.CopyTo(_chars[_length..]);
        _length += text.Length;
    }

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<char>.Shared.Return(_rented);
            _rented = null;
        }
    }

    private void Grow(int additional)
    {
        var next = ArrayPool<char>.Shared.Rent(Math.Max(_chars.Length * 2, _length + additional));
        _chars[.._length].CopyTo(next);
        if (_rented is not null)
        {
            ArrayPool<char>.Shared.Return(_rented);
        }

        _rented = next;
        _chars = next;
    }
}

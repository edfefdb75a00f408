namespace ZProxy.Caching.Headers;

/// <summary>One parsed RFC 8941 item; <see cref="Text"/> points into the field value (string escapes left in place).</summary>
internal readonly ref struct StructuredItem
{
    public StructuredItem(StructuredItemKind kind, long integer, bool boolean, ReadOnlySpan<char> text)
    {
        Kind = kind;
        Integer = integer;
        Boolean = boolean;
        Text = text;
    }

    public StructuredItemKind Kind { get; }

    public long Integer { get; }

    public bool Boolean { get; }

    public ReadOnlySpan<char> Text { get; }
}

namespace ZProxy.Caching.Headers;

/// <summary>The bare-item types of RFC 8941 §3.3 (plus inner lists), as far as targeted fields need them.</summary>
internal enum StructuredItemKind
{
    Integer,
    Decimal,
    String,
    Token,
    ByteSequence,
    Boolean,
    InnerList,
}

namespace ZProxy.Caching.Headers;

/// <summary>
/// Accumulates directives while a field is parsed, applying the duplicate and invalid-value rules
/// in one place for both syntaxes (classic Cache-Control and RFC 8941 dictionaries).
/// </summary>
internal struct DirectiveBuilder
{
    private CacheDirectiveFlags _flags;
    private int? _maxAge;
    private int? _sharedMaxAge;
    private int? _maxStale;
    private int? _minFresh;
    private int? _staleWhileRevalidate;
    private int? _staleIfError;
    private List<string>? _noCacheFields;
    private List<string>? _privateFields;

    /// <summary>
    /// True for structured-field dictionaries, where a later duplicate key replaces the earlier one
    /// (RFC 8941 §4.2.2). For Cache-Control, duplicates follow RFC 9111 §4.2.1 instead.
    /// </summary>
    public bool LastWins;

    private enum Numeric
    {
        MaxAge,
        SharedMaxAge,
        MaxStale,
        MinFresh,
        StaleWhileRevalidate,
        StaleIfError,
    }

    /// <summary>Applies one classic Cache-Control directive (RFC 9111 §5.2: names compare case-insensitively; token or quoted-string arguments are both accepted).</summary>
    public void Apply(ReadOnlySpan<char> name, ReadOnlySpan<char> argument, bool hasArgument)
    {
        if (TryGetNumeric(name, out var numeric))
        {
            if (numeric == Numeric.MaxStale && !hasArgument)
            {
                // RFC 9111 §5.2.1.2: max-stale without a value accepts a response of any staleness.
                _flags |= CacheDirectiveFlags.MaxStaleAny;
                return;
            }

            if (hasArgument && HttpText.TryParseDeltaSeconds(HttpText.Unquote(argument), out var seconds))
            {
                SetNumeric(numeric, seconds);
            }
            else
            {
                SetInvalid(numeric);
            }

            return;
        }

        var flag = GetFlag(name);
        if (flag == CacheDirectiveFlags.None)
        {
            // Unknown extensions are ignored (RFC 9111 §5.2.3).
            return;
        }

        if (hasArgument && flag is CacheDirectiveFlags.NoCache or CacheDirectiveFlags.Private)
        {
            var fields = HttpText.Unquote(argument);
            if (AddFields(flag, fields))
            {
                return;
            }
        }

        // A flag carrying an unexpected argument still counts: honouring it is the restrictive reading.
        _flags |= flag;
    }

    /// <summary>Applies one member of a targeted (RFC 9213 §2.1) dictionary field.</summary>
    public void ApplyStructured(ReadOnlySpan<char> key, in StructuredItem item)
    {
        if (TryGetNumeric(key, out var numeric))
        {
            if (numeric == Numeric.MaxStale && item.Kind == StructuredItemKind.Boolean)
            {
                if (item.Boolean)
                {
                    _flags |= CacheDirectiveFlags.MaxStaleAny;
                }

                return;
            }

            if (item.Kind == StructuredItemKind.Integer && item.Integer >= 0)
            {
                SetNumeric(numeric, item.Integer > HttpText.MaxDeltaSeconds ? HttpText.MaxDeltaSeconds : (int)item.Integer);
            }
            else
            {
                SetInvalid(numeric);
            }

            return;
        }

        var flag = GetFlag(key);
        if (flag == CacheDirectiveFlags.None)
        {
            return;
        }

        if (item.Kind == StructuredItemKind.Boolean && !item.Boolean)
        {
            // "directive=?0" says the directive is off.
            return;
        }

        if (item.Kind == StructuredItemKind.String && flag is CacheDirectiveFlags.NoCache or CacheDirectiveFlags.Private && AddFields(flag, item.Text))
        {
            return;
        }

        _flags |= flag;
    }

    public readonly CacheControlDirectives Build(CacheControlSource source, string? fieldName)
    {
        var flags = _flags;
        var maxStale = _maxStale;
        if (maxStale.HasValue)
        {
            // "max-stale, max-stale=5": the bounded one is the more restrictive (RFC 9111 §4.2.1).
            flags &= ~CacheDirectiveFlags.MaxStaleAny;
        }

        return new CacheControlDirectives
        {
            Flags = flags,
            Source = source,
            FieldName = fieldName,
            MaxAge = _maxAge,
            SharedMaxAge = _sharedMaxAge,
            MaxStale = maxStale,
            MinFresh = _minFresh,
            StaleWhileRevalidate = _staleWhileRevalidate,
            StaleIfError = _staleIfError,
            NoCacheFields = (flags & CacheDirectiveFlags.NoCache) == 0 ? _noCacheFields?.ToArray() : null,
            PrivateFields = (flags & CacheDirectiveFlags.Private) == 0 ? _privateFields?.ToArray() : null,
        };
    }

    private bool AddFields(CacheDirectiveFlags flag, ReadOnlySpan<char> fields)
    {
        var added = false;
        var rest = fields;
        while (!rest.IsEmpty)
        {
            var comma = rest.IndexOf(',');
            var member = HttpText.TrimOws(comma < 0 ? rest : rest[..comma]);
            rest = comma < 0 ? default : rest[(comma + 1)..];
            if (!HttpText.IsToken(member))
            {
                continue;
            }

            ref var list = ref flag == CacheDirectiveFlags.NoCache ? ref _noCacheFields : ref _privateFields;
            list ??= new List<string>(2);
            list.Add(member.ToString());
            added = true;
        }

        // An empty or unusable list is read as the unqualified directive: the restrictive reading.
        return added;
    }

    private void SetNumeric(Numeric numeric, int seconds)
    {
        var current = Get(numeric);
        if (!current.HasValue || LastWins)
        {
            Set(numeric, seconds);
            return;
        }

        if (current.Value == seconds)
        {
            return;
        }

        // RFC 9111 §4.2.1: with conflicting duplicates "either the first occurrence should be used or
        // the response should be considered stale"; and when directives conflict "the most restrictive
        // directive should be honored". ZProxy takes the restrictive choice for each directive.
        switch (numeric)
        {
            case Numeric.MaxAge:
            case Numeric.SharedMaxAge:
                Set(numeric, 0);
                _flags |= CacheDirectiveFlags.InvalidFreshness;
                break;
            case Numeric.MinFresh:
                Set(numeric, Math.Max(current.Value, seconds));
                break;
            default:
                Set(numeric, Math.Min(current.Value, seconds));
                break;
        }
    }

    private void SetInvalid(Numeric numeric)
    {
        switch (numeric)
        {
            case Numeric.MaxAge:
            case Numeric.SharedMaxAge:
                // RFC 9111 §4.2.1: invalid freshness information (e.g. a non-integer max-age) makes the
                // response stale. As a request directive, max-age=0 is likewise the restrictive reading.
                Set(numeric, 0);
                _flags |= CacheDirectiveFlags.InvalidFreshness;
                break;
            default:
                // max-stale, min-fresh, stale-while-revalidate, stale-if-error with a bad value are
                // ignored: the first, third and fourth only ever relax the rules, so ignoring them is the
                // restrictive reading; an unusable min-fresh is treated as absent.
                break;
        }
    }

    private readonly int? Get(Numeric numeric) => numeric switch
    {
        Numeric.MaxAge => _maxAge,
        Numeric.SharedMaxAge => _sharedMaxAge,
        Numeric.MaxStale => _maxStale,
        Numeric.MinFresh => _minFresh,
        Numeric.StaleWhileRevalidate => _staleWhileRevalidate,
        _ => _staleIfError,
    };

    private void Set(Numeric numeric, int value)
    {
        switch (numeric)
        {
            case Numeric.MaxAge:
                _maxAge = value;
                break;
            case Numeric.SharedMaxAge:
                _sharedMaxAge = value;
                break;
            case Numeric.MaxStale:
                _maxStale = value;
                break;
            case Numeric.MinFresh:
                _minFresh = value;
                break;
            case Numeric.StaleWhileRevalidate:
                _staleWhileRevalidate = value;
                break;
            default:
                _staleIfError = value;
                break;
        }
    }

    private static bool TryGetNumeric(ReadOnlySpan<char> name, out Numeric numeric)
    {
        numeric = default;
        if (Is(name, "max-age"))
        {
            numeric = Numeric.MaxAge;
        }
        else if (Is(name, "s-maxage"))
        {
            numeric = Numeric.SharedMaxAge;
        }
        else if (Is(name, "max-stale"))
        {
            numeric = Numeric.MaxStale;
        }
        else if (Is(name, "min-fresh"))
        {
            numeric = Numeric.MinFresh;
        }
        else if (Is(name, "stale-while-revalidate"))
        {
            numeric = Numeric.StaleWhileRevalidate;
        }
        else if (Is(name, "stale-if-error"))
        {
            numeric = Numeric.StaleIfError;
        }
        else
        {
            return false;
        }

        return true;
    }

    private static CacheDirectiveFlags GetFlag(ReadOnlySpan<char> name)
    {
        if (Is(name, "no-cache"))
        {
            return CacheDirectiveFlags.NoCache;
        }

        if (Is(name, "no-store"))
        {
            return CacheDirectiveFlags.NoStore;
        }

        if (Is(name, "public"))
        {
            return CacheDirectiveFlags.Public;
        }

        if (Is(name, "private"))
        {
            return CacheDirectiveFlags.Private;
        }

        if (Is(name, "must-revalidate"))
        {
            return CacheDirectiveFlags.MustRevalidate;
        }

        if (Is(name, "proxy-revalidate"))
        {
            return CacheDirectiveFlags.ProxyRevalidate;
        }

        if (Is(name, "no-transform"))
        {
            return CacheDirectiveFlags.NoTransform;
        }

        if (Is(name, "only-if-cached"))
        {
            return CacheDirectiveFlags.OnlyIfCached;
        }

        if (Is(name, "must-understand"))
        {
            return CacheDirectiveFlags.MustUnderstand;
        }

        if (Is(name, "immutable"))
        {
            return CacheDirectiveFlags.Immutable;
        }

        return CacheDirectiveFlags.None;
    }

    private static bool Is(ReadOnlySpan<char> name, string directive) => name.Equals(directive, StringComparison.OrdinalIgnoreCase);
}

using System.Globalization;
using Microsoft.Extensions.Primitives;
using ZProxy.Caching.Headers;
using ZProxy.Caching.Storage;

namespace ZProxy.Caching.Ranges;

/// <summary>Byte-range requests answered from a stored complete 200 (RFC 9110 §14, §13.1.5).</summary>
public static class RangeEvaluator
{
    /// <summary>
    /// Range sets with more members than this are ignored (the full 200 is sent): RFC 9110 §14.2 lets a
    /// server refuse many small ranges, which cost far more to answer than to ask for.
    /// </summary>
    public const int MaxRanges = 32;

    // Ranges closer than this are sent as one part: a part's own header costs about as much (RFC 9110 §14.6).
    private const long CoalesceGap = 80;

    /// <summary>
    /// Evaluates Range and If-Range for a request served from <paramref name="stored"/>, whose
    /// body has <paramref name="contentLength"/> bytes. Apply after conditional evaluation: a 304
    /// takes precedence (RFC 9110 §13.2.2 step 5 comes after steps 3 and 4).
    /// </summary>
    public static RangeResult Evaluate(string method, IDictionary<string, StringValues> requestHeaders, StoredResponseMetadata stored, long contentLength)
    {
        if (!requestHeaders.TryGetValue(CacheHeaderNames.Range, out var range) || range.Count == 0)
        {
            return new RangeResult(RangeDecision.Full, RangeReason.NoRange, 0, 0, null);
        }

        // RFC 9110 §14.2: "GET is the only method for which range handling is defined".
        if (!HttpMethodRules.IsGet(method))
        {
            return new RangeResult(RangeDecision.Full, RangeReason.MethodNotGet, 0, 0, null);
        }

        if (stored.StatusCode != 200)
        {
            return new RangeResult(RangeDecision.Full, RangeReason.StoredStatusNot200, 0, 0, null);
        }

        if (range.Count > 1)
        {
            // Range is a singleton field, not a list: several lines are invalid, and ignored.
            return new RangeResult(RangeDecision.Full, RangeReason.MultipleRanges, 0, 0, null);
        }

        // RFC 9110 §13.1.5: If-Range that does not match means "ignore the Range".
        if (requestHeaders.TryGetValue(CacheHeaderNames.IfRange, out var ifRange) && ifRange.Count > 0 && !IfRangeMatches(ifRange, stored))
        {
            return new RangeResult(RangeDecision.Full, RangeReason.IfRangeMismatch, 0, 0, null);
        }

        var spec = HttpText.TrimOws(range[0].AsSpan());
        var eq = spec.IndexOf('=');
        if (eq < 0)
        {
            return new RangeResult(RangeDecision.Full, RangeReason.InvalidSyntax, 0, 0, null);
        }

        // Range units are case-insensitive (RFC 9110 §14.1).
        if (!HttpText.TrimOws(spec[..eq]).Equals("bytes", StringComparison.OrdinalIgnoreCase))
        {
            return new RangeResult(RangeDecision.Full, RangeReason.UnsupportedUnit, 0, 0, null);
        }

        var set = spec[(eq + 1)..];
        if (HeaderListReader.FindSeparator(set, backslashEscapes: false) >= 0)
        {
            // Count the non-empty members: "bytes=0-5," is still one range.
            var members = 0;
            var reader = new HeaderListReader(new StringValues(set.ToString()));
            while (reader.MoveNext())
            {
                members++;
            }

            if (members > 1)
            {
                return EvaluateSet(set.ToString(), members, contentLength);
            }

            set = set.Trim(", \t");
        }

        return EvaluateSingle(HttpText.TrimOws(set), contentLength);
    }

    /// <summary>
    /// A set of several ranges (RFC 9110 §14.1.1): any invalid member voids the field, unsatisfiable members are
    /// dropped, and what remains is sorted and coalesced (§14.6 allows both). One range left is a plain 206.
    /// </summary>
    private static RangeResult EvaluateSet(string set, int members, long length)
    {
        if (members > MaxRanges)
        {
            return new RangeResult(RangeDecision.Full, RangeReason.TooManyRanges, 0, 0, null);
        }

        var ranges = new List<ByteRange>(members);
        var reader = new HeaderListReader(new StringValues(set));
        while (reader.MoveNext())
        {
            var member = EvaluateSingle(HttpText.TrimOws(reader.Current), length);
            switch (member.Decision)
            {
                case RangeDecision.Partial:
                    ranges.Add(new ByteRange(member.Start, member.Length));
                    break;
                case RangeDecision.Full:
                    return member;
            }
        }

        if (ranges.Count == 0)
        {
            return NotSatisfiable(length);
        }

        ranges.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        var parts = new List<ByteRange>(ranges.Count) { ranges[0] };
        for (var i = 1; i < ranges.Count; i++)
        {
            var last = parts[^1];
            var next = ranges[i];
            var lastEnd = last.Start + last.Length;
            if (next.Start <= lastEnd + CoalesceGap)
            {
                parts[^1] = last with { Length = Math.Max(lastEnd, next.Start + next.Length) - last.Start };
            }
            else
            {
                parts.Add(next);
            }
        }

        if (parts.Count == 1)
        {
            var only = parts[0];
            return new RangeResult(RangeDecision.Partial, RangeReason.Satisfiable, only.Start, only.Length, only.ContentRange(length));
        }

        return new RangeResult(RangeDecision.Multipart, RangeReason.Satisfiable, 0, 0, null, parts);
    }

    /// <summary>
    /// Evaluates one byte-range-spec (<c>first-last</c>, <c>first-</c>) or suffix-range (<c>-N</c>)
    /// against a representation of <paramref name="length"/> bytes (RFC 9110 §14.1.1, §14.1.2).
    /// </summary>
    public static RangeResult EvaluateSingle(ReadOnlySpan<char> rangeSpec, long length)
    {
        var dash = rangeSpec.IndexOf('-');
        if (dash < 0)
        {
            return new RangeResult(RangeDecision.Full, RangeReason.InvalidSyntax, 0, 0, null);
        }

        var firstText = rangeSpec[..dash];
        var lastText = rangeSpec[(dash + 1)..];
        long start;
        long end;
        if (firstText.IsEmpty)
        {
            // suffix-range: the last N bytes; N = 0 is unsatisfiable, N > length means all of it.
            if (!TryParseNonNegative(lastText, out var suffix))
            {
                return new RangeResult(RangeDecision.Full, RangeReason.InvalidSyntax, 0, 0, null);
            }

            if (suffix == 0 || length == 0)
            {
                return NotSatisfiable(length);
            }

            start = suffix >= length ? 0 : length - suffix;
            end = length - 1;
        }
        else
        {
            if (!TryParseNonNegative(firstText, out start))
            {
                return new RangeResult(RangeDecision.Full, RangeReason.InvalidSyntax, 0, 0, null);
            }

            if (lastText.IsEmpty)
            {
                end = length - 1;
            }
            else if (!TryParseNonNegative(lastText, out end) || end < start)
            {
                // "A byte-range-spec is invalid if the last-pos value is present and less than the first-pos."
                return new RangeResult(RangeDecision.Full, RangeReason.InvalidSyntax, 0, 0, null);
            }

            // Satisfiable only if first-pos is less than the length (RFC 9110 §14.1.1); last-pos is clamped.
            if (start >= length)
            {
                return NotSatisfiable(length);
            }

            if (end >= length)
            {
                end = length - 1;
            }
        }

        var range = new ByteRange(start, end - start + 1);
        return new RangeResult(RangeDecision.Partial, RangeReason.Satisfiable, range.Start, range.Length, range.ContentRange(length));
    }

    /// <summary>
    /// If-Range (RFC 9110 §13.1.5): an entity-tag matches by strong comparison; an HTTP-date matches
    /// only if it exactly equals a Last-Modified that is a strong validator, which for a cache means the
    /// stored Date is at least 60 seconds after it (RFC 9110 §8.8.2.2).
    /// </summary>
    public static bool IfRangeMatches(StringValues ifRange, StoredResponseMetadata stored)
    {
        if (ifRange.Count != 1)
        {
            return false;
        }

        var value = HttpText.TrimOws(ifRange[0].AsSpan());
        if (value.StartsWith("W/", StringComparison.Ordinal) || (!value.IsEmpty && value[0] == '"'))
        {
            return stored.ETag is not null && EntityTag.StrongEquals(value, stored.ETag);
        }

        if (!HttpDate.TryParse(value, stored.ResponseTime, out var date) || stored.LastModified is not { } lastModified || stored.Date is not { } responseDate)
        {
            return false;
        }

        return date == lastModified && responseDate - lastModified >= TimeSpan.FromSeconds(60);
    }

    private static RangeResult NotSatisfiable(long length) =>
        new(RangeDecision.NotSatisfiable, RangeReason.Unsatisfiable, 0, 0, string.Create(CultureInfo.InvariantCulture, $"bytes */{length}"));

    private static bool TryParseNonNegative(ReadOnlySpan<char> s, out long value)
    {
        value = 0;
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            if (value > (long.MaxValue - 9) / 10)
            {
                // Beyond any representable length: treat as the largest value, which clamps correctly.
                value = long.MaxValue;
                continue;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}

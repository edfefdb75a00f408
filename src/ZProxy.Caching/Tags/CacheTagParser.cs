using Microsoft.Extensions.Primitives;

namespace ZProxy.Caching.Tags;

/// <summary>Parses the purge tags of a response (e.g. <c>Surrogate-Key: a b</c> or <c>Cache-Tag: a,b</c>).</summary>
public static class CacheTagParser
{
    /// <summary>
    /// Splits all field lines on spaces, tabs and commas (Fastly's Surrogate-Key is space-separated,
    /// Cloudflare's Cache-Tag comma-separated), dropping empties and duplicates (ordinal, case-sensitive)
    /// while keeping first-seen order.
    /// </summary>
    public static IReadOnlyList<string> Parse(StringValues values)
    {
        if (StringValues.IsNullOrEmpty(values))
        {
            return [];
        }

        List<string>? tags = null;
        foreach (var line in values)
        {
            var rest = line.AsSpan();
            while (!rest.IsEmpty)
            {
                var sep = rest.IndexOfAny(' ', '\t', ',');
                var tag = sep < 0 ? rest : rest[..sep];
                rest = sep < 0 ? default : rest[(sep + 1)..];
                if (tag.IsEmpty)
                {
                    continue;
                }

                tags ??= [];
                var exists = false;
                foreach (var t in tags)
                {
                    if (tag.SequenceEqual(t))
                    {
                        exists = true;
                        break;
                    }
                }

                if (!exists)
                {
                    tags.Add(tag.ToString());
                }
            }
        }

        return tags is null ? [] : tags;
    }

    /// <summary>Tags from the route's <see cref="CachePolicyOptions.TagHeaderName"/>; empty when tags are disabled or absent.</summary>
    public static IReadOnlyList<string> FromResponse(IDictionary<string, StringValues> responseHeaders, CachePolicyOptions options) =>
        string.IsNullOrEmpty(options.TagHeaderName) || !responseHeaders.TryGetValue(options.TagHeaderName, out var values) ? [] : Parse(values);
}

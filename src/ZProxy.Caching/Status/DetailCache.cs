using System.Collections.Concurrent;
using System.Text;

namespace ZProxy.Caching.Status;

/// <summary>Kebab-case tokens for enum values (<c>StaleWhileRevalidate</c> → <c>stale-while-revalidate</c>), computed once.</summary>
internal static class DetailCache<TEnum>
    where TEnum : struct, Enum
{
    private static readonly ConcurrentDictionary<TEnum, string> Cache = new();

    public static string Get(TEnum value) => Cache.GetOrAdd(value, static v => ToKebab(v.ToString()));

    private static string ToKebab(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsAsciiLetterUpper(c))
            {
                if (i > 0)
                {
                    sb.Append('-');
                }

                sb.Append(char.ToLowerInvariant(c));
            }
            else if (char.IsAsciiLetterOrDigit(c))
            {
                sb.Append(c);
            }
            else
            {
                // Flag combinations ("A, B") and numbers outside the enum become one token.
                sb.Append('-');
            }
        }

        return sb.ToString();
    }
}

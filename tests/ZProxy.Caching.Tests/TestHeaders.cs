using Microsoft.Extensions.Primitives;

namespace ZProxy.Caching.Tests;

/// <summary>Builds header dictionaries from "Name: value" lines; a repeated name becomes another field line.</summary>
internal static class TestHeaders
{
    public static Dictionary<string, StringValues> Of(string? lines)
    {
        var headers = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrEmpty(lines))
        {
            return headers;
        }

        foreach (var line in lines.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var colon = line.IndexOf(':');
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].TrimStart();
            headers[name] = headers.TryGetValue(name, out var existing) ? StringValues.Concat(existing, value) : new StringValues(value);
        }

        return headers;
    }
}

using System.Globalization;

namespace ZProxy.LoadTests.Scenarios;

/// <summary>Command-line options of the form <c>--name value</c> (and bare <c>--flag</c>).</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);

    public Arguments(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    _values[pending] = "true";
                }

                pending = arg[2..];
                var eq = pending.IndexOf('=');
                if (eq > 0)
                {
                    _values[pending[..eq]] = pending[(eq + 1)..];
                    pending = null;
                }
            }
            else if (pending is not null)
            {
                _values[pending] = arg;
                pending = null;
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }
        }

        if (pending is not null)
        {
            _values[pending] = "true";
        }
    }

    public string? String(string name)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out var v) ? v : null;
    }

    public string String(string name, string fallback) => String(name) ?? fallback;

    public string Required(string name) => String(name) ?? throw new ArgumentException($"--{name} is required");

    public int Int(string name, int fallback) => String(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => String(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public bool Flag(string name) => String(name) is { } v && v != "false";

    /// <summary>A duration: <c>30</c> or <c>30s</c> (seconds), <c>500ms</c>, <c>2m</c>.</summary>
    public TimeSpan Duration(string name, TimeSpan fallback)
    {
        var v = String(name);
        if (v is null)
        {
            return fallback;
        }

        if (v.EndsWith("ms", StringComparison.Ordinal))
        {
            return TimeSpan.FromMilliseconds(double.Parse(v[..^2], CultureInfo.InvariantCulture));
        }

        if (v.EndsWith('m'))
        {
            return TimeSpan.FromMinutes(double.Parse(v[..^1], CultureInfo.InvariantCulture));
        }

        return TimeSpan.FromSeconds(double.Parse(v.TrimEnd('s'), CultureInfo.InvariantCulture));
    }

    /// <summary>Options given but never read: most likely misspelt.</summary>
    public IEnumerable<string> Unused => _values.Keys.Where(k => !_used.Contains(k));
}

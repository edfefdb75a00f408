using System.Globalization;
using System.Net;
using System.Text;

namespace ZProxy.LoadTests.Scenarios.BenchReport;

/// <summary>
/// A two-panel SVG line chart (requests/s and CPU µs per request against body size, one series per
/// proxy, log scales, min–max whiskers), written by hand so the harness needs nothing to download.
/// </summary>
internal static class SvgChart
{
    private const int PanelWidth = 460;
    private const int PanelHeight = 320;
    private const int Left = 70;
    private const int Top = 50;
    private const int Bottom = 50;
    private const int Gap = 40;
    private static readonly string[] Palette = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(IReadOnlyList<ProxySizeResult> results, string title, string note)
    {
        var sizes = results.Select(r => r.SizeBytes).Distinct().Order().ToArray();
        var proxies = results.Select(r => r.Proxy).Distinct().ToArray();
        var width = Left + (2 * PanelWidth) + Gap + 20;
        var height = Top + PanelHeight + Bottom + 50 + (20 * ((proxies.Length + 3) / 4));
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">");
        sb.AppendLine(Inv, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        sb.AppendLine(Inv, $"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">{WebUtility.HtmlEncode(title)}</text>");
        sb.AppendLine(Inv, $"<text x=\"{width / 2}\" y=\"{height - 8}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#a00\">{WebUtility.HtmlEncode(note)}</text>");

        Panel(sb, results, sizes, proxies, Left, "requests/s (higher is better)", r => r.RequestsPerSecond);
        Panel(sb, results, sizes, proxies, Left + PanelWidth + Gap, "proxy CPU µs per request (lower is better)", r => r.CpuMicrosecondsPerRequest);

        var legendY = Top + PanelHeight + Bottom + 10;
        for (var i = 0; i < proxies.Length; i++)
        {
            var x = Left + (i % 4 * 200);
            var y = legendY + (i / 4 * 20);
            sb.AppendLine(Inv, $"<line x1=\"{x}\" y1=\"{y}\" x2=\"{x + 24}\" y2=\"{y}\" stroke=\"{Color(i)}\" stroke-width=\"3\"/>");
            sb.AppendLine(Inv, $"<text x=\"{x + 30}\" y=\"{y + 4}\">{WebUtility.HtmlEncode(proxies[i])}</text>");
        }

        sb.AppendLine("</svg>");
        return sb.ToString();
    }

    private static void Panel(StringBuilder sb, IReadOnlyList<ProxySizeResult> results, long[] sizes, string[] proxies, int x0,
        string label, Func<ProxySizeResult, Summary> figure)
    {
        var plotWidth = PanelWidth - 20;
        var values = results.Select(figure).SelectMany(s => new[] { s.Min, s.Max }).Where(v => v > 0 && !double.IsNaN(v)).ToArray();
        var lo = values.Length == 0 ? 1 : Math.Pow(10, Math.Floor(Math.Log10(values.Min())));
        var hi = values.Length == 0 ? 10 : Math.Pow(10, Math.Ceiling(Math.Log10(values.Max())));
        if (hi <= lo)
        {
            hi = lo * 10;
        }

        double Y(double v) => Top + PanelHeight - (PanelHeight * (Math.Log10(v) - Math.Log10(lo)) / (Math.Log10(hi) - Math.Log10(lo)));
        double X(int i) => x0 + (sizes.Length == 1 ? plotWidth / 2.0 : 20 + ((plotWidth - 40) * i / (double)(sizes.Length - 1)));

        sb.AppendLine(Inv, $"<text x=\"{x0 + (plotWidth / 2)}\" y=\"{Top - 12}\" text-anchor=\"middle\">{WebUtility.HtmlEncode(label)}</text>");
        sb.AppendLine(Inv, $"<rect x=\"{x0}\" y=\"{Top}\" width=\"{plotWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#999\"/>");
        for (var decade = lo; decade <= hi * 1.0001; decade *= 10)
        {
            foreach (var m in new[] { 1, 2, 5 })
            {
                var v = decade * m;
                if (v > hi * 1.0001)
                {
                    break;
                }

                var y = Y(v);
                sb.AppendLine(Inv, $"<line x1=\"{x0}\" y1=\"{y:0.0}\" x2=\"{x0 + plotWidth}\" y2=\"{y:0.0}\" stroke=\"{(m == 1 ? "#ccc" : "#eee")}\"/>");
                sb.AppendLine(Inv, $"<text x=\"{x0 - 6}\" y=\"{y + 4:0.0}\" text-anchor=\"end\" font-size=\"10\">{Compact(v)}</text>");
            }
        }

        for (var i = 0; i < sizes.Length; i++)
        {
            sb.AppendLine(Inv, $"<text x=\"{X(i):0.0}\" y=\"{Top + PanelHeight + 18}\" text-anchor=\"middle\">{BenchReportWriter.SizeLabel(sizes[i])}</text>");
        }

        sb.AppendLine(Inv, $"<text x=\"{x0 + (plotWidth / 2)}\" y=\"{Top + PanelHeight + 36}\" text-anchor=\"middle\" font-size=\"11\">body size</text>");

        for (var p = 0; p < proxies.Length; p++)
        {
            var points = new List<(double X, Summary S)>();
            for (var i = 0; i < sizes.Length; i++)
            {
                var row = results.FirstOrDefault(r => r.Proxy == proxies[p] && r.SizeBytes == sizes[i]);
                if (row is not null && figure(row).Median > 0)
                {
                    // Series are nudged sideways so whiskers of equal values stay visible.
                    points.Add((X(i) + ((p - ((proxies.Length - 1) / 2.0)) * 4), figure(row)));
                }
            }

            if (points.Count > 1)
            {
                var path = string.Join(" ", points.Select(pt => string.Create(Inv, $"{pt.X:0.0},{Y(pt.S.Median):0.0}")));
                sb.AppendLine(Inv, $"<polyline points=\"{path}\" fill=\"none\" stroke=\"{Color(p)}\" stroke-width=\"2\"/>");
            }

            foreach (var (px, s) in points)
            {
                sb.AppendLine(Inv, $"<line x1=\"{px:0.0}\" y1=\"{Y(s.Min):0.0}\" x2=\"{px:0.0}\" y2=\"{Y(s.Max):0.0}\" stroke=\"{Color(p)}\" stroke-width=\"1.5\"/>");
                sb.AppendLine(Inv, $"<circle cx=\"{px:0.0}\" cy=\"{Y(s.Median):0.0}\" r=\"3.5\" fill=\"{Color(p)}\"><title>{WebUtility.HtmlEncode(proxies[p])}: {s.Median.ToString("N1", Inv)} ({s.Min.ToString("N1", Inv)}–{s.Max.ToString("N1", Inv)})</title></circle>");
            }
        }
    }

    private static string Color(int i) => Palette[i % Palette.Length];

    private static string Compact(double v) =>
        v >= 1e6 ? (v / 1e6).ToString("0.#", Inv) + "M"
        : v >= 1e3 ? (v / 1e3).ToString("0.#", Inv) + "k"
        : v.ToString("0.##", Inv);
}

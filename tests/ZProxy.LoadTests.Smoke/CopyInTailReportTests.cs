using System.Text.RegularExpressions;
using ZProxy.Benchmarks.Store;

namespace ZProxy.LoadTests.Smoke;

/// <summary>
/// The <c>copyin-tail</c> report of ZProxy.Benchmarks runs end to end on a couple of laps, so a change to
/// the store that breaks it fails here and not in the next measurement session. Its figures are not checked.
/// </summary>
public class CopyInTailReportTests
{
    [Fact]
    public void Write_FewLaps_TwoRowsOfFiguresPerWorkerMode()
    {
        using var output = new StringWriter();

        CopyInTailReport.Write(output, warmupLaps: 1, laps: 2);

        var rows = output.ToString().Split('\n').Where(line => Regex.IsMatch(line, @"^\| (deferred|atonce|idle) ")).ToList();
        Assert.Equal(6, rows.Count);
        Assert.All(rows, row => Assert.Matches(new Regex(@"^\| (deferred|atonce|idle) \| [0-9.]+ us \| [0-9.]+ us \| [0-9.]+ us \| [0-9.]+ us \| [0-9.]+ us \| [0-9]+ % \| [0-9]+ of 256 \|"), row));
    }
}

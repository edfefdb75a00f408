using System.Diagnostics;
using Xunit;

namespace ZProxy.PageBlocks.Tests;

/// <summary>Sealing is real: a write into sealed store memory kills the process with SIGSEGV.</summary>
public class SealedMemoryTests
{
    private const int Sigsegv = 11;

    [Theory]
    [InlineData("large")]
    [InlineData("small")]
    public async Task WriteIntoSealedBody_ChildProcess_DiesBySigsegv(string mode)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var (exitCode, output) = await RunProbeAsync(mode);

        Assert.Contains("sealed=True", output);
        Assert.DoesNotContain("survived", output);

        // A child killed by a signal reports 128 + the signal number.
        Assert.Equal(128 + Sigsegv, exitCode);
    }

    [Fact]
    public async Task WriteIntoUnsealedStoreMemory_ChildProcess_Survives()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var (exitCode, output) = await RunProbeAsync("control");

        Assert.Contains("survived", output);
        Assert.Equal(0, exitCode);
    }

    private static async Task<(int ExitCode, string Output)> RunProbeAsync(string mode)
    {
        var assembly = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add(Program.SealProbe);
        start.ArgumentList.Add(mode);

        // No crash dump: the death is the expected outcome.
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}

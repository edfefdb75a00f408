using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Xunit.Abstractions;
using ZProxy.DemoOrigin;
using ZProxy.FunctionalTests.Infrastructure;
using ZProxy.Testing;

namespace ZProxy.FunctionalTests;

/// <summary>
/// Starts the real <c>zproxy</c> program as a separate process from the repository root, with the
/// repository's <c>appsettings.json</c>, as the README's start command does (only the ports are
/// moved so a running ZProxy cannot collide with the test).
/// </summary>
public sealed class EndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Program_StartedLikeTheReadme_ServesDemoAssetAndMetrics()
    {
        int publicPort = FreePort.Next(), demoPort = FreePort.Next(), adminPort = FreePort.Next();
        var start = ZProxyStartInfo(
            $"--urls=http://127.0.0.1:{publicPort}",
            $"--ZProxy:DemoOrigin:Url=http://127.0.0.1:{demoPort}",
            $"--ReverseProxy:Clusters:demo:Destinations:demo-1:Address=http://127.0.0.1:{demoPort}/",
            $"--ZProxy:Admin:Url=http://127.0.0.1:{adminPort}");

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            Log(e.Data);
            if (e.Data.Contains("Application started", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Task.WhenAny(started.Task, process.WaitForExitAsync()).WaitAsync(Timeout);
            Assert.False(process.HasExited, "zproxy exited during start");

            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{publicPort}/"), Timeout = Timeout };
            using var response = await client.GetAsync("/assets/64k.bin");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(SHA256.HashData(DemoContent.Create(65536)), SHA256.HashData(await response.Content.ReadAsByteArrayAsync()));
            Assert.Contains("1.1 zproxy", response.Headers.Via.Select(v => v.ToString()));

            var metrics = await client.GetStringAsync($"http://127.0.0.1:{adminPort}/metrics");
            Assert.Contains("target_info", metrics);

            // Kestrel's metrics are the public listener's: the demo origin (which served the miss) and
            // the admin listener run in the same process, on servers of their own. (The demo origin's
            // port still appears in http_client_*: it is the proxy's upstream.)
            var kestrel = string.Join('\n', metrics.Split('\n').Where(line => line.StartsWith("kestrel_", StringComparison.Ordinal)));
            Assert.Contains($"server_port=\"{publicPort}\"", kestrel);
            Assert.DoesNotContain($"server_port=\"{demoPort}\"", kestrel);
            Assert.DoesNotContain($"server_port=\"{adminPort}\"", kestrel);
        }
        finally
        {
            if (!process.HasExited)
            {
                // SIGTERM: the graceful shutdown a service manager would ask for.
                Process.Start("kill", ["-TERM", process.Id.ToString()])?.WaitForExit();
                if (!await ExitedWithin(process, TimeSpan.FromSeconds(15)))
                {
                    process.Kill(entireProcessTree: true);
                }
            }
        }

        Assert.Equal(0, process.ExitCode);
    }

    [Theory]
    [InlineData("ZProxy:Transport:Mode", "Fast", "'ZProxy:Transport:Mode'")]
    [InlineData("ZProxy:Store:MemoryLimit", "12", "ZProxy:Store: MemoryLimit must hold at least one pageblock")]
    [InlineData("ZProxy:Admin:Url", "9090", "ZProxy:Admin:Url must be an absolute http:// URL")]
    [InlineData("ReverseProxy:Clusters:demo:LoadBalancingPolicy", "Fastest", "'Fastest'")]
    public async Task Program_RefusedSetting_ExitsWithCodeOneAndOneLineNamingIt(string key, string value, string expected)
    {
        var (exitCode, stdout, stderr) = await RunToExitAsync($"--{key}={value}");

        // Like nginx's "[emerg]": one line on stderr, no unhandled exception, no stack trace anywhere.
        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("zproxy: invalid ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Program_PublicPortInUse_ExitsWithCodeOneNamingTheAddress()
    {
        using var holder = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var (exitCode, _, stderr) = await RunToExitAsync($"--urls=http://127.0.0.1:{port}");

        Assert.Equal(1, exitCode);
        Assert.Contains($"zproxy: cannot listen: Failed to bind to address http://127.0.0.1:{port}: address already in use.", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
    }

    /// <summary>Runs zproxy with its ports moved off the defaults, then <paramref name="args"/> (which win over them), until it exits on its own.</summary>
    private async Task<(int ExitCode, string Stdout, string Stderr)> RunToExitAsync(params string[] args)
    {
        var start = ZProxyStartInfo(
            [
                $"--urls=http://127.0.0.1:{FreePort.Next()}",
                $"--ZProxy:DemoOrigin:Url=http://127.0.0.1:{FreePort.Next()}",
                $"--ZProxy:Admin:Url=http://127.0.0.1:{FreePort.Next()}",
                .. args,
            ]);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!await ExitedWithin(process, Timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("zproxy did not exit");
        }

        Log(await stdout);
        Log(await stderr);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The built zproxy program, run from the repository root (its appsettings.json) with <paramref name="args"/>.</summary>
    private static ProcessStartInfo ZProxyStartInfo(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "zproxy.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    private static async Task<bool> ExitedWithin(Process process, TimeSpan timeout)
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private void Log(string? line)
    {
        if (line is null)
        {
            return;
        }

        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test already finished.
        }
    }
}

using System.Diagnostics;
using DLBricks.Benchmarking;
using DLBricks.Storage;
using Microsoft.Data.Sqlite;

namespace DLBricks.Tests.Benchmarking;

/// <summary>Runs <c>dlbricks bench</c> as a real process, as a user or a script would.</summary>
public sealed class BenchCommandProcessTests : IDisposable
{
    private readonly BrickFolderBuilder _bricks = new();
    private string DbPath => Path.Combine(_bricks.Folder, "cli.db");

    [Fact]
    public void QuickRunMeasuresGoodBricksRecordsTheBrokenOneAndExitsWithPartialFailure()
    {
        _bricks.AddRelu(8);
        _bricks.AddGather([1, 1]);
        var garbage = _bricks.AddGarbage();
        var folder = _bricks.WriteCatalog();

        var first = Cli("bench", folder, "--db", DbPath, "--quick", "--threads", "1");
        Assert.True(first.ExitCode == 1, first.ToString());
        Assert.Contains($"FAILED {garbage}", first.Stdout);
        Assert.Equal(3, CountRows());

        var second = Cli("bench", folder, "--db", DbPath, "--quick", "--threads", "1");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("0 measured, 3 already in the database", second.Stdout);
    }

    [Fact]
    public void CudaFailsWithOneLineAndWritesNoDatabase()
    {
        _bricks.AddRelu(4);
        var run = Cli("bench", _bricks.WriteCatalog(), "--db", DbPath, "--ep", "cuda:0", "--quick");
        Assert.True(run.ExitCode == 3, run.ToString());
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu", line);
        Assert.False(File.Exists(DbPath));
    }

    [Fact]
    public void CpuClockWithCudaIsRefusedWithOneLineNamingTheFix()
    {
        _bricks.AddRelu(4);
        var run = Cli("bench", _bricks.WriteCatalog(), "--db", DbPath, "--ep", "cuda", "--clock", "cpu", "--quick");
        Assert.True(run.ExitCode == 2, run.ToString());
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--clock wall", line);
        Assert.False(File.Exists(DbPath));
    }

    [Fact]
    public void SplittingForCudaWithoutTheGpuBuildFailsWithOneLine()
    {
        var model = new TinyModel().Input("x", 1, 4).Output("y");
        model.Node("Relu", ["x"], ["y"]);
        var path = model.Save(_bricks.Folder, "relu");
        var run = Cli("split", path, "-o", Path.Combine(_bricks.Folder, "split"), "--ep", "cuda");
        Assert.True(run.ExitCode == 2, run.ToString());
        // split reports progress on stderr too; the failure is one line and no stack trace.
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.StartsWith($"error: {path}", line);
        Assert.Contains("-p:DLBricksGpu=true", line);
        Assert.Contains("--ep cpu", line);
    }

    [Fact]
    public async Task GpuValidationScriptWithoutACudaDeviceStopsWithOneLine()
    {
        Assert.False(OperatingSystem.IsWindows(), "the script is bash");
        // A stand-in nvidia-smi that finds no device, as on a machine with the driver tools but no GPU, so the test does
        // not depend on what this machine has.
        var bin = Directory.CreateDirectory(Path.Combine(_bricks.Folder, "bin")).FullName;
        var fake = Path.Combine(bin, "nvidia-smi");
        File.WriteAllText(fake, "#!/bin/sh\necho 'No devices were found'\nexit 6\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(TestPaths.RepoRoot, "scripts", "validate-gpu.sh"));
        info.ArgumentList.Add(Path.Combine(_bricks.Folder, "report"));
        info.Environment["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "the device check must come before the build");

        Assert.Equal(3, process.ExitCode);
        Assert.Equal("", await stdout);
        var line = Assert.Single((await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("validate-gpu: no CUDA device found", line);
        Assert.False(Directory.Exists(Path.Combine(_bricks.Folder, "report")));
    }

    [Fact]
    public void BadOptionValueFailsWithOneLine()
    {
        _bricks.AddRelu(4);
        var run = Cli("bench", _bricks.WriteCatalog(), "--db", DbPath, "--level", "turbo");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("turbo", run.Stderr);
        Assert.False(File.Exists(DbPath));
    }

    [Fact]
    public void SecondBenchOfTheSameConfigurationStopsWithOneLineNamingTheHolder()
    {
        _bricks.AddRelu(8);
        var folder = _bricks.WriteCatalog();
        var configuration = BenchmarkJob.Quick.Configuration("cpu", null, 1, 0, "sequential", "all");
        using (var store = new SqliteResultStore(DbPath))
        using (store.LockBench(SystemFingerprintDetector.Detect().Key, configuration.Key))
        {
            // This test process is the holder: the CLI process must refuse, name it, and measure nothing.
            var refused = Cli("bench", folder, "--db", DbPath, "--quick", "--threads", "1", "--clock", "wall");
            Assert.True(refused.ExitCode == 3, refused.ToString());
            var line = Assert.Single(refused.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"pid={Environment.ProcessId}; host={Environment.MachineName}; started=", line);
            Assert.Equal(0, CountRows());
        }
        var after = Cli("bench", folder, "--db", DbPath, "--quick", "--threads", "1", "--clock", "wall");
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Contains($"Configuration {configuration.Key}:", after.Stdout);
        Assert.Equal(1, CountRows());
    }

    [Fact]
    public void MultiThreadedBenchRunsOnTheSharedPoolAndStoresItApartFromPerSessionPools()
    {
        _bricks.AddMatMul(160); // 100 KB of weights: rotated through copies, each a session on the one shared pool
        _bricks.AddRelu(64);
        var folder = _bricks.WriteCatalog();

        var shared = Cli("bench", folder, "--db", DbPath, "--quick", "--threads", "2");
        Assert.True(shared.ExitCode == 0, shared.ToString());
        Assert.Contains("Threads: shared thread pool (2 intra-op, 1 inter-op)", shared.Stdout);
        var onPool = (BenchmarkJob.Quick with { SharedThreadPool = true }).Configuration("cpu", null, 2, 0, "sequential", "all");
        Assert.Contains($"Configuration {onPool.Key}:", shared.Stdout);
        Assert.Contains(SharedThreadPool.ProvenanceTag, shared.Stdout);
        Assert.Equal(2, CountRows());

        // Per-session pools (one copy per brick) are another configuration: nothing measured on the pool is reused.
        var perSession = Cli("bench", folder, "--db", DbPath, "--quick", "--threads", "2", "--shared-pool", "off");
        Assert.True(perSession.ExitCode == 0, perSession.ToString());
        Assert.Contains($"Configuration {BenchmarkJob.Quick.Configuration("cpu", null, 2, 0, "sequential", "all").Key}:", perSession.Stdout);
        Assert.Contains("2 measured, 0 already in the database", perSession.Stdout);
        Assert.DoesNotContain("Threads:", perSession.Stdout);
        Assert.Equal(4, CountRows());

        var cuda = Cli("bench", folder, "--db", DbPath, "--quick", "--ep", "cuda", "--shared-pool", "on");
        Assert.True(cuda.ExitCode == 2, cuda.ToString());
        Assert.Contains("--shared-pool auto or off", Assert.Single(cuda.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    public void Dispose() => _bricks.Dispose();

    private long CountRows() => Scalar("SELECT COUNT(*) FROM results WHERE n IS NOT NULL OR error IS NOT NULL");

    private long CountDistinctBricks() => Scalar("SELECT COUNT(DISTINCT brick_hash) FROM results");

    private long Scalar(string sql)
    {
        if (!File.Exists(DbPath))
            return 0;
        try
        {
            using var connection = new SqliteConnection($"Data Source={DbPath};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            // The schema is still being created or the writer holds the lock; count as nothing yet.
            return 0;
        }
    }

    private static Process Start(params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "DLBricks.Cli.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(cli);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        // Drain the pipes so a chatty child never blocks on a full buffer.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static CliRun Cli(params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "DLBricks.Cli.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(cli);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dlbricks bench did not finish within 3 minutes");
        }
        return new CliRun(process.ExitCode, stdout.Result, stderr.Result);
    }

    private sealed record CliRun(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }
}

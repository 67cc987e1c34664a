using System.Diagnostics;
using DLBricks.Benchmarking;
using DLBricks.Emit;
using DLBricks.Storage;

namespace DLBricks.Tests.Emit;

/// <summary>
/// The whole loop a system provider goes through: emit a suite for squeezenet's bricks, build it with the plain .NET SDK (packages
/// from the local NuGet cache only), run two bricks with a short BenchmarkDotNet job in its default out-of-process toolchain, and
/// import the JSON export into a store.
/// </summary>
public sealed class EmittedSuiteRunTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "dlbricks-emit-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void EmittedSuiteBuildsOfflineRunsTwoBricksAndImportsUnderTheRunningSystem()
    {
        var split = SplitRunner.Run([TestPaths.LightModel("squeezenet")], new SplitOptions { Granularity = 1, Source = DLBricks.Graph.LayerSourceOptions.Raw }, Path.Combine(_root, "split"));
        var suite = BenchmarkSuiteEmitter.Emit(Path.Combine(_root, "split"), Path.Combine(_root, "suite"));
        Assert.Equal(split.UniqueBricks, suite.BrickCount);
        // The public brick set travels, the private recipes do not.
        Assert.True(Directory.Exists(Path.Combine(_root, "split", "recipes")));
        Assert.False(Directory.Exists(Path.Combine(suite.Directory, "recipes")));

        // A convolution and a brick of another op type, picked by their full hashes.
        var conv = split.Catalog.Bricks.First(b => b.OpTypes.SequenceEqual(["Conv"]));
        var other = split.Catalog.Bricks.First(b => !b.OpTypes.Contains("Conv"));
        Dotnet(suite.Directory, TimeSpan.FromMinutes(3), "build", "-c", "Release");
        Dotnet(suite.Directory, TimeSpan.FromMinutes(4), "run", "-c", "Release", "--no-build", "--",
            "--filter", $"*{conv.Hash}*", $"*{other.Hash}*", $"*{EmittedSuite.CalibrationCase}*", "--job", "short", "--iterationTime", "50");

        var artifacts = Path.Combine(suite.Directory, "BenchmarkDotNet.Artifacts");
        Assert.True(File.Exists(Path.Combine(artifacts, EmittedSuite.SystemFileName)), "the suite writes system.json after a run");
        var report = Assert.Single(Directory.GetFiles(Path.Combine(artifacts, "results"), "*-report-full.json"));

        using var store = new SqliteResultStore(Path.Combine(_root, "results.db"));
        var import = Assert.Single(new ResultImporter(store).Import([report]));
        Assert.Equal(2, import.Imported);
        Assert.Empty(import.Failed);
        // The suite describes the machine exactly as dlbricks bench does, so both land under the same system.
        Assert.Equal(SystemFingerprintDetector.Detect(), import.System);
        Assert.Equal(new SuiteOptions().ToRunConfiguration(), import.Configuration);
        Assert.Contains((import.System, import.Configuration), store.ListSystems());
        var calibration = store.GetCalibration(import.System.Key, import.Configuration.Key);
        Assert.NotNull(calibration);
        Assert.Equal(import.Calibration, calibration);

        var results = store.GetResults(import.System.Key, import.Configuration.Key);
        Assert.Equal(new[] { conv.Hash, other.Hash }.Order(StringComparer.Ordinal), results.Keys.Order(StringComparer.Ordinal));
        foreach (var result in results.Values)
        {
            Assert.True(result.Succeeded, result.Error);
            var s = result.Statistics!;
            Assert.True(s.N >= 3, $"N = {s.N}");
            // Milliseconds per run: a squeezenet layer takes microseconds to a few milliseconds, never nanoseconds or seconds.
            Assert.InRange(s.Median, 1e-4, 100);
            Assert.InRange(s.TrimmedMean, s.Min, s.Max);
        }

        var again = Assert.Single(new ResultImporter(store).Import([report]));
        Assert.Equal(0, again.Imported);
        Assert.Equal(2, again.Unchanged);
        Assert.Equal(2, store.GetResults(import.System.Key, import.Configuration.Key).Count);
    }

    /// <summary>Runs the dotnet CLI in <paramref name="folder"/> restoring only from the local package cache.</summary>
    private static void Dotnet(string folder, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        // The test host's MSBuild variables would leak into the suite's build; the suite must build on its own.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        // Environment variables are MSBuild properties: NuGet restores from the cache our own build filled, never the network.
        start.Environment["RestoreSources"] = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} in {folder}");
        }
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited {process.ExitCode}\n{Tail(stdout.Result)}\n{Tail(stderr.Result)}");
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Temp folders are cleaned by the OS if a child process still holds a file.
        }
    }
}

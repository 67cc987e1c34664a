using System.Diagnostics;
using DLBricks.Benchmarking;
using DLBricks.Storage;

namespace DLBricks.Benchmarks;

/// <summary>
/// Measurements of the harness itself that are not per-call microbenchmarks: (b) BenchmarkDotNet's fixed cost per benchmark
/// case in our job configuration, (c) process memory while benchmarking many bricks, and (d) the bricks-versus-models comparison.
/// </summary>
internal static class HarnessMeasurements
{
    private static RunConfiguration Config(BenchmarkJob job) => job.Configuration("cpu", null, 1, 1, "sequential", "all");

    /// <summary>
    /// (b) Wall time of <see cref="LatencyMeasurer.Measure(string, OnnxModelRunner)"/> on the Identity model minus the time
    /// spent running it (pilot + (warmup + iterations) × invocations × latency): what BenchmarkDotNet adds per case.
    /// </summary>
    public static void FixedCost(int cases)
    {
        foreach (var job in new[] { BenchmarkJob.Quick, BenchmarkJob.Default })
        foreach (var withReports in new[] { false, true })
        {
            var folder = Path.Combine(Path.GetTempPath(), "dlbricks-fixed-cost", Guid.NewGuid().ToString("N"));
            using var reports = withReports ? new BenchmarkReportWriter(folder) : null;
            var measurer = new LatencyMeasurer(job, reports);
            using var runner = OnnxModelRunner.Open(CalibrationModel.Identity(), Config(job));
            measurer.Measure("warm-up", runner); // first BenchmarkDotNet run in a process pays JIT of BenchmarkDotNet itself
            var overheads = new List<double>();
            var walls = new List<double>();
            for (var i = 0; i < cases; i++)
            {
                var m = measurer.Measure($"case-{i}", runner);
                // The engine's jitting stage runs the body a few more times; counting 2 extra iterations is generous.
                var work = job.PilotTime.TotalMilliseconds
                           + (job.WarmupCount + job.IterationCount + 2) * m.InvocationsPerIteration * m.Statistics.Mean;
                walls.Add(m.WallTime.TotalMilliseconds);
                overheads.Add(m.WallTime.TotalMilliseconds - work);
            }
            overheads.Sort();
            walls.Sort();
            Console.WriteLine($"job={job.Name,-8} exporters={(withReports ? "on " : "off")} cases={cases}: wall/case median {walls[cases / 2]:F2} ms, " +
                              $"fixed cost/case median {overheads[cases / 2]:F2} ms (min {overheads[0]:F2}, max {overheads[^1]:F2})");
            if (Directory.Exists(folder))
                Directory.Delete(folder, true);
        }
    }

    /// <summary>(c) Benchmarks <paramref name="count"/> tiny bricks with the quick job and prints process memory before, during and after.</summary>
    public static void MemoryFlatness(int count)
    {
        var folder = TinyBricks.Write(Path.Combine(Path.GetTempPath(), "dlbricks-memory", Guid.NewGuid().ToString("N")), count);
        var job = BenchmarkJob.Quick;
        using var store = new SqliteResultStore(Path.Combine(folder, "memory.db"));
        var runner = new BrickBenchmarkRunner(store, Config(job), job);
        // Warm everything once (JIT, ORT environment, BenchmarkDotNet) so "before" is the steady state, not a cold process.
        var warm = TinyBricks.Write(Path.Combine(folder, "warm"), 20, firstWidth: 100_000);
        runner.Run(warm);
        Report("before", 0);
        var clock = Stopwatch.StartNew();
        var summary = runner.Run(folder, progress: new Callback(p =>
        {
            if (p.Last is not null && p.Completed % (count / 4) == 0)
                Report($"after {p.Completed,5} bricks", p.Completed);
        }));
        Console.WriteLine($"{summary.Measured} bricks measured, {summary.Failures.Count} failed, {clock.Elapsed.TotalSeconds:F1} s " +
                          $"({clock.Elapsed.TotalMilliseconds / count:F1} ms per brick incl. session creation)");
        Report("after", count);
        Directory.Delete(folder, true);
    }

    /// <summary>(d) The bricks-versus-models wall-time comparison for a split folder and the models it was cut from.</summary>
    public static void Compare(string catalogFolder, IReadOnlyList<string> models, bool quick)
    {
        var job = quick ? BenchmarkJob.Quick : BenchmarkJob.Default;
        var db = Path.Combine(Path.GetTempPath(), $"dlbricks-compare-{Guid.NewGuid():N}.db");
        using (var store = new SqliteResultStore(db))
        {
            var result = new BricksVersusModels(store, Config(job), job).Compare(catalogFolder, models);
            Console.WriteLine($"bricks: {result.Bricks.Measured} measured in {result.Bricks.Elapsed.TotalSeconds:F1} s");
            foreach (var model in result.Models)
                Console.WriteLine($"  {Path.GetFileName(model.ModelPath)}: {(model.Statistics is { } s ? $"median {s.Median:F3} ms, trimmed {s.TrimmedMean:F3} ms" : model.Error)} ({model.WallTime.TotalSeconds:F1} s)");
            Console.WriteLine($"models: {result.Models.Count} measured in {result.ModelsWallTime.TotalSeconds:F1} s");
        }
        File.Delete(db);
    }

    private static void Report(string label, int bricks)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        Console.WriteLine($"{label,-20} RSS {self.WorkingSet64 / 1048576.0,7:F1} MiB, managed heap {GC.GetTotalMemory(false) / 1048576.0,6:F1} MiB");
    }

    private sealed class Callback(Action<BrickBenchmarkProgress> report) : IProgress<BrickBenchmarkProgress>
    {
        public void Report(BrickBenchmarkProgress value) => report(value);
    }
}

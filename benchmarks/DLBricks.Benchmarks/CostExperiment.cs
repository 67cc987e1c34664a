using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DLBricks.Benchmarking;
using DLBricks.Graph;
using DLBricks.Storage;

namespace DLBricks.Benchmarks;

/// <summary>
/// <c>cost MODEL... [--g 1,3,5] [--job default|lean|quick] [--clock wall|cpu] [--dim NAME=N]... [--out FILE.json]</c>: what the bricks pipeline
/// really costs in wall time against benchmarking the models. For each G it times (a) the split of all models, (b) benchmarking
/// every unique brick (forced, into a scratch store; the run's calibration included), and once (c) benchmarking every model end to
/// end with the same job, and breaks (b) down per brick into session creation, rotation setup, pilot, BenchmarkDotNet's
/// overhead, jitting, warmup, measured iterations and report export. Every phase also gets the process's CPU time, the steadier
/// figure on a loaded machine. Prints a table; writes every brick's breakdown as JSON.
/// </summary>
internal static class CostExperiment
{
    public static int Run(IReadOnlyList<string> args)
    {
        var models = args.Where(a => a.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)).Select(Path.GetFullPath).ToList();
        if (models.Count == 0)
        {
            Console.Error.WriteLine("usage: cost MODEL.onnx... [--g 1,3,5] [--job default|lean|quick] [--clock wall|cpu] [--dim NAME=N]... [--out FILE.json]");
            return 2;
        }
        var gs = (Option(args, "--g") ?? "1").Split(',').Select(g => int.Parse(g, CultureInfo.InvariantCulture)).ToList();
        var job = (Option(args, "--job") ?? "default") switch
        {
            "default" => BenchmarkJob.Default,
            "lean" => BenchmarkJob.Lean,
            "quick" => BenchmarkJob.Quick,
            var other => throw new ArgumentException($"unknown job '{other}': use default, lean or quick."),
        };
        if (Option(args, "--clock") == "cpu") job = job.WithClock(MeasurementClock.ThreadCpu);
        var output = Path.GetFullPath(Option(args, "--out") ?? "cost.json");
        // The corpus's transformers have symbolic batch and sequence dims: both sides must run the same sizes.
        var dims = args.Select((a, i) => (a, i)).Where(p => p.a == "--dim" && p.i + 1 < args.Count).Select(p => args[p.i + 1]).ToList();
        ModelInputBindings BindingsFor(string model) => ModelInputBindings.Parse(model, [], dims, []);
        var configuration = job.Configuration("cpu", null, 1, 1, "sequential", "all");
        var work = Path.Combine(Path.GetTempPath(), "dlbricks-cost", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            Console.WriteLine($"# cost {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, job {job.Name} ({job.Clock} clock), {models.Count} models, " +
                              $"load average {LoadAverage()}");
            var granularities = new List<object>();
            var walls = new List<(int G, double Split, double Bricks, double SplitCpu, double BricksCpu)>();
            foreach (var g in gs)
            {
                var splitCpu = CpuTime();
                var split = Stopwatch.StartNew();
                var result = SplitRunner.Run(models, new SplitOptions { Granularity = g, Bindings = BindingsFor }, Path.Combine(work, $"split-g{g}"));
                split.Stop();
                splitCpu = CpuTime() - splitCpu;
                if (result.Failures.Count > 0)
                    Console.WriteLine($"  G={g}: {result.Failures.Count} model(s) failed to split: {string.Join("; ", result.Failures)}");

                var outcomes = new List<BrickOutcome>();
                using var store = new SqliteResultStore(Path.Combine(work, $"g{g}.db"));
                var bricksCpu = CpuTime();
                var summary = new BrickBenchmarkRunner(store, configuration, job).Run(result.OutputDirectory!, new BrickBenchmarkOptions(Force: true),
                    new Callback(p => { if (p.Last is { Cost: not null } last) outcomes.Add(last); }));
                bricksCpu = CpuTime() - bricksCpu;
                var costs = outcomes.Select(o => o.Cost!).ToList();
                var row = new
                {
                    g,
                    split_seconds = split.Elapsed.TotalSeconds,
                    bricks_seconds = summary.Elapsed.TotalSeconds,
                    split_cpu_seconds = splitCpu.TotalSeconds,
                    bricks_cpu_seconds = bricksCpu.TotalSeconds,
                    bricks = summary.Measured,
                    failed = summary.Failures.Count,
                    calibration_and_store_seconds = (summary.Elapsed - TimeSpan.FromTicks(outcomes.Sum(o => o.WallTime.Ticks))).TotalSeconds,
                    breakdown_seconds = Breakdown(costs).ToDictionary(p => p.Key, p => p.Value.TotalSeconds),
                    measured_iterations_mean = costs.Where(c => c.Measurement is not null).Select(c => (double)c.Measurement!.MeasuredIterations).DefaultIfEmpty().Average(),
                    per_brick = outcomes.Select(o => new
                    {
                        hash = o.Hash,
                        median_ms = o.Statistics?.Median,
                        total_ms = o.Cost!.Total.TotalMilliseconds,
                        copies = o.Cost.Copies,
                        iterations = o.Cost.Measurement?.MeasuredIterations,
                        phases_ms = Breakdown([o.Cost]).ToDictionary(p => p.Key, p => p.Value.TotalMilliseconds),
                    }).ToList(),
                };
                granularities.Add(row);
                walls.Add((g, split.Elapsed.TotalSeconds, summary.Elapsed.TotalSeconds, splitCpu.TotalSeconds, bricksCpu.TotalSeconds));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  process CPU time: split {splitCpu.TotalSeconds:0.0} s, bricks {bricksCpu.TotalSeconds:0.0} s"));
                PrintRow(g, split.Elapsed, summary, costs);
            }

            var modelsCpu = CpuTime();
            var models2 = Stopwatch.StartNew();
            var measurer = new LatencyMeasurer(job);
            var perModel = new List<object>();
            foreach (var path in models)
            {
                var watch = Stopwatch.StartNew();
                var inputs = SyntheticInputs.SpecsFor(ModelInputs.Resolve(path, BindingsFor(Path.GetFileNameWithoutExtension(path))));
                using var runner = OnnxModelRunner.Open(path, configuration, inputs, seed: SyntheticInputs.SeedFrom(Path.GetFileName(path)));
                var m = measurer.Measure(Path.GetFileNameWithoutExtension(path), runner);
                perModel.Add(new { model = Path.GetFileNameWithoutExtension(path), median_ms = m.Statistics.Median, wall_seconds = watch.Elapsed.TotalSeconds });
            }
            models2.Stop();
            modelsCpu = CpuTime() - modelsCpu;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"end to end: {models.Count} models in {models2.Elapsed.TotalSeconds:0.0} s, process CPU {modelsCpu.TotalSeconds:0.0} s (same job); load average now {LoadAverage()}"));
            foreach (var (g, splitSeconds, bricksSeconds, splitCpuSeconds, bricksCpuSeconds) in walls)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"G={g}: bricks / models = {bricksSeconds / models2.Elapsed.TotalSeconds:0.00} wall, {bricksCpuSeconds / modelsCpu.TotalSeconds:0.00} CPU; " +
                    $"(split + bricks) / models = {(splitSeconds + bricksSeconds) / models2.Elapsed.TotalSeconds:0.00} wall, {(splitCpuSeconds + bricksCpuSeconds) / modelsCpu.TotalSeconds:0.00} CPU"));

            var json = new
            {
                date = DateTimeOffset.UtcNow,
                job = job.Name,
                provenance = job.Provenance,
                clock = job.Clock.ToString(),
                load_average_end = LoadAverage(),
                models = models.Select(Path.GetFileNameWithoutExtension).ToList(),
                granularities,
                end_to_end = new { seconds = models2.Elapsed.TotalSeconds, cpu_seconds = modelsCpu.TotalSeconds, per_model = perModel },
            };
            File.WriteAllText(output, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"wrote {output}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Sums of each phase over the bricks, in a fixed order (the table's and the JSON's).</summary>
    internal static IReadOnlyList<KeyValuePair<string, TimeSpan>> Breakdown(IReadOnlyList<BrickCost> costs)
    {
        TimeSpan Sum(Func<BrickCost, TimeSpan> f) => TimeSpan.FromTicks(costs.Sum(c => f(c).Ticks));
        TimeSpan Phase(Func<MeasurementPhases, TimeSpan> f) => Sum(c => c.Measurement is { } m ? f(m) : TimeSpan.Zero);
        return
        [
            new("session", Sum(c => c.SessionCreation)),
            new("rotation", Sum(c => c.RotationSetup)),
            new("pilot", Phase(m => m.Pilot)),
            new("bdn_overhead", Phase(m => m.BenchmarkDotNetOverhead)),
            new("jitting", Phase(m => m.Jitting)),
            new("warmup", Phase(m => m.Warmup)),
            new("measured", Phase(m => m.Measured)),
            new("export", Phase(m => m.Export)),
            new("other", Sum(c => c.Other)),
            new("total", Sum(c => c.Total)),
        ];
    }

    private static void PrintRow(int g, TimeSpan split, BrickBenchmarkSummary summary, IReadOnlyList<BrickCost> costs)
    {
        var n = Math.Max(1, costs.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"G={g}: split {split.TotalSeconds:0.0} s; {summary.Measured} bricks benchmarked in {summary.Elapsed.TotalSeconds:0.0} s ({summary.Failures.Count} failed); " +
            $"mean copies {costs.Select(c => (double)c.Copies).DefaultIfEmpty().Average():0.0}, mean measured iterations " +
            $"{costs.Where(c => c.Measurement is not null).Select(c => (double)c.Measurement!.MeasuredIterations).DefaultIfEmpty().Average():0.0}"));
        Console.WriteLine("  phase          total s   per brick ms   share");
        var total = costs.Sum(c => c.Total.Ticks);
        foreach (var (name, time) in Breakdown(costs))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-13} {time.TotalSeconds,8:0.00} {time.TotalMilliseconds / n,13:0.00} {(total > 0 ? (double)time.Ticks / total : 0),7:P1}"));
    }

    /// <summary>
    /// CPU time of the whole process: on a machine shared with other work the wall times stretch with the load, the work done
    /// does not, so CPU time is the steadier figure for comparing jobs.
    /// </summary>
    private static TimeSpan CpuTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string? Option(IReadOnlyList<string> args, string name)
    {
        var i = args.ToList().IndexOf(name);
        return i >= 0 && i + 1 < args.Count ? args[i + 1] : null;
    }

    private sealed class Callback(Action<BrickBenchmarkProgress> report) : IProgress<BrickBenchmarkProgress>
    {
        public void Report(BrickBenchmarkProgress value) => report(value);
    }
}

using System.Globalization;
using DLBricks.Benchmarking;
using DLBricks.Storage;
using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Benchmarks;

/// <summary>
/// <c>e2e-noise MODEL... [--rounds R] [--runs N]</c>: which session settings move the run-to-run spread of a model's end-to-end
/// time. Each round opens a fresh session per variant (as every validate measurement does, so first-touch and arena growth
/// are part of what is measured), warms it up, times N runs with the thread-CPU clock and keeps their median and p10. Variants
/// are visited in a new shuffled order every round so drift does not favour one. The spread of a variant is
/// (max − min) / median of its per-round medians.
/// </summary>
internal static class EndToEndNoise
{
    private sealed record Variant(string Name, int Warmup, Action<SessionOptions> Configure);

    private static readonly Variant[] Variants =
    [
        new("baseline", 10, _ => { }),
        new("arena-off", 10, o => o.EnableCpuMemArena = false),
        new("mem-pattern-off", 10, o => o.EnableMemoryPattern = false),
        new("denormal-as-zero", 10, o => o.AddSessionConfigEntry("session.set_denormal_as_zero", "1")),
        new("warmup-x20", 200, _ => { }),
        new("no-spinning", 10, o => o.AddSessionConfigEntry("session.intra_op.allow_spinning", "0")),
    ];

    public static int Run(IReadOnlyList<string> args)
    {
        var models = args.Where(a => a.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)).ToList();
        var rounds = Option(args, "--rounds", 5);
        var runs = Option(args, "--runs", 100);
        if (models.Count == 0)
        {
            Console.Error.WriteLine("usage: e2e-noise MODEL.onnx... [--rounds R] [--runs N]");
            return 2;
        }
        var configuration = BenchmarkJob.Quick.Configuration("cpu", null, 1, 0, "sequential", "all");
        var random = new Random(7);
        Console.WriteLine($"# e2e-noise {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {rounds} rounds x {runs} runs, thread-CPU clock, 1 thread");
        Console.WriteLine("model\tvariant\tmedian_ms\tround_median_spread\tp10_ms\tround_p10_spread\twithin_round_p90/p10");
        foreach (var model in models)
        {
            var medians = Variants.ToDictionary(v => v.Name, _ => new List<double>());
            var lows = Variants.ToDictionary(v => v.Name, _ => new List<double>());
            var tails = Variants.ToDictionary(v => v.Name, _ => new List<double>());
            for (var round = 0; round < rounds; round++)
            {
                var order = Variants.ToArray();
                random.Shuffle(order);
                foreach (var variant in order)
                {
                    using var runner = OnnxModelRunner.Open(model, configuration, variant.Configure, seed: 1);
                    for (var i = 0; i < variant.Warmup; i++) runner.Run();
                    var times = new double[runs];
                    for (var i = 0; i < runs; i++)
                    {
                        var start = ThreadCpuClock.Instance.GetTimestamp();
                        runner.Run();
                        times[i] = (ThreadCpuClock.Instance.GetTimestamp() - start) / 1e6;
                    }
                    Array.Sort(times);
                    medians[variant.Name].Add(times[runs / 2]);
                    lows[variant.Name].Add(Rank(times, 0.10));
                    tails[variant.Name].Add(Rank(times, 0.90) / Rank(times, 0.10));
                }
            }
            foreach (var variant in Variants)
            {
                var m = medians[variant.Name];
                var l = lows[variant.Name];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Path.GetFileNameWithoutExtension(model)}\t{variant.Name}\t{Median(m):0.####}\t{Spread(m):P1}\t{Median(l):0.####}\t{Spread(l):P1}\t{Median(tails[variant.Name]):0.###}"));
            }
        }
        return 0;
    }

    private static int Option(IReadOnlyList<string> args, string name, int fallback)
    {
        var i = args.ToList().IndexOf(name);
        return i >= 0 && i + 1 < args.Count ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static double Rank(double[] sorted, double fraction) => sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static double Spread(List<double> values) => (values.Max() - values.Min()) / Median(values);
}

using System.Text.Json;
using DLBricks.Emit;
using DLBricks.Export;
using DLBricks.Storage;
using DLBricks.Splitting;

namespace DLBricks.Tests.Emit;

/// <summary>Writes what an emitted suite run leaves behind: BenchmarkDotNet JSON exports (as 0.15.8 writes them) and system.json.</summary>
internal sealed class EmittedRunFiles(string folder)
{
    public static readonly SystemFingerprint Machine = new("Test CPU 9000", 8, 16L << 30, "TestOS 1", ".NET 10.0.0", "1.31.1");

    public string Artifacts => Path.Combine(folder, "BenchmarkDotNet.Artifacts");

    /// <summary>A brick case whose Result measurements are <paramref name="microseconds"/> per op; statistics as BDN computes them with the upper outlier removed.</summary>
    public static string Case(string hash, double[] microseconds)
    {
        var ns = microseconds.Select(us => us * 1000).ToArray();
        var kept = ns.Length > 3 ? ns[..^1] : ns;
        var sorted = kept.Order().ToArray();
        double Percentile(double p) => sorted[(int)Math.Round(p * (sorted.Length - 1))];
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        var measurements = string.Join(",\n", ns.Select((v, i) =>
            $$"""{ "IterationMode": "Workload", "IterationStage": "Result", "LaunchIndex": 1, "IterationIndex": {{i + 1}}, "Operations": 2, "Nanoseconds": {{v * 2}} }""")
            .Prepend("""{ "IterationMode": "Workload", "IterationStage": "Warmup", "LaunchIndex": 1, "IterationIndex": 1, "Operations": 2, "Nanoseconds": 999999999 }"""));
        return $$"""
            {
              "DisplayInfo": "BrickBenchmarks.Run: ShortRun [Brick={{hash}}]", "Namespace": "DLBricksSuite", "Type": "BrickBenchmarks", "Method": "Run",
              "Parameters": "Brick={{hash}}", "FullName": "DLBricksSuite.BrickBenchmarks.Run(Brick: {{hash}})",
              "Statistics": {
                "OriginalValues": [{{string.Join(", ", kept)}}], "N": {{kept.Length}}, "Min": {{sorted[0]}}, "Median": {{median}}, "Mean": {{kept.Average()}},
                "Max": {{sorted[^1]}}, "StandardDeviation": 1, "Skewness": "", "Kurtosis": "",
                "ConfidenceInterval": { "N": {{kept.Length}}, "Mean": {{kept.Average()}}, "Level": 12, "Margin": "", "Lower": "", "Upper": "" },
                "Percentiles": { "P0": {{sorted[0]}}, "P90": {{Percentile(0.9)}}, "P95": {{Percentile(0.95)}}, "P100": {{sorted[^1]}} }
              },
              "Measurements": [ {{measurements}} ]
            }
            """;
    }

    public string WriteReport(string name, string stamp, params string[] benchmarks)
    {
        var results = Path.Combine(Artifacts, "results");
        Directory.CreateDirectory(results);
        var path = Path.Combine(results, name);
        File.WriteAllText(path, $$"""
            { "Title": "DLBricksSuite.BrickBenchmarks-{{stamp}}", "HostEnvironmentInfo": { "BenchmarkDotNetVersion": "0.15.8" },
              "Benchmarks": [ {{string.Join(",\n", benchmarks)}} ] }
            """);
        return path;
    }

    public void WriteSystem(TimeSpan offset)
    {
        Directory.CreateDirectory(Artifacts);
        var record = new SuiteRunRecord(Machine, new SuiteOptions().ToRunConfiguration(), new DateTimeOffset(2026, 11, 23, 10, 20, 0, offset));
        File.WriteAllText(Path.Combine(Artifacts, EmittedSuite.SystemFileName), JsonSerializer.Serialize(record, CatalogJson.Options));
    }
}

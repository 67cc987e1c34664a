using System.Text.Json;
using DLBricks.Emit;
using DLBricks.Export;
using DLBricks.Storage;

namespace DLBricks.Tests.Emit;

/// <summary>Import of BenchmarkDotNet JSON exports written the way BenchmarkDotNet 0.15.8 writes them (NaN as empty strings).</summary>
public sealed class ResultImporterTests : IDisposable
{
    private const string HashA = "0ca68e075cacd88cba2a267c10231bdddf6c08c057c48e546d33ec3142690750";
    private const string HashB = "1a7b195080dda1a3479ae37a550d4b7715867d81ab190a7104e1f8fd6da11701";
    private static readonly SystemFingerprint Machine = new("Test CPU 9000", 8, 16L << 30, "TestOS 1", ".NET 10.0.0", "1.31.1");
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dlbricks-import-tests", Guid.NewGuid().ToString("N"));

    private string Artifacts => Path.Combine(_folder, "BenchmarkDotNet.Artifacts");
    private string DbPath => Path.Combine(_folder, "results.db");

    [Fact]
    public void ReportStatisticsBecomeMillisecondsWithTheTrimmedMeanOfAllResultMeasurements()
    {
        // Ten results of 1..10 µs per op (2 ops per iteration) plus warm-up noise that must not count; BDN removed the outlier 10.
        var report = BdnJsonReport.Read(WriteReport("r-report-full.json", "20261123-101500", Case(HashA, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])));

        var brick = Assert.Single(report.Bricks);
        Assert.Equal(HashA, brick.BrickHash);
        var s = brick.Statistics!;
        Assert.Equal(0.005, s.Mean, 12);
        Assert.Equal(0.005, s.Median, 12);
        Assert.Equal(0.008, s.P90, 12);
        Assert.Equal(0.001, s.Min, 12);
        Assert.Equal(9, s.N);
        // Drop 2 at each end of 1..10 µs: mean of 3..8 µs.
        Assert.Equal(0.0055, s.TrimmedMean, 12);
        // The CI was NaN (empty strings): falls back to the mean instead of storing NaN.
        Assert.Equal(s.Mean, s.CiLower);
        Assert.Equal(s.Mean, s.CiUpper);
        Assert.Equal(new DateTime(2026, 11, 23, 10, 15, 0), report.StartedAt);
    }

    [Fact]
    public void ImportFilesResultsUnderTheRecordedSystemAndTwiceAddsNothing()
    {
        WriteSystem(TimeSpan.FromHours(1));
        var path = WriteReport("r-report-full.json", "20261123-101500", Case(HashA, [1, 2, 3]), Case(HashB, [4, 5, 6]),
            """{ "Type": "OtherBenchmarks", "Parameters": "", "FullName": "X.OtherBenchmarks.Run" }""",
            Case("0ca6...0750", [1, 2, 3]));
        using var store = new SqliteResultStore(DbPath);

        var first = Assert.Single(new ResultImporter(store).Import([path]));
        Assert.Equal(2, first.Imported);
        Assert.Equal(2, first.Ignored.Count);
        Assert.Equal(Machine, first.System);
        Assert.Equal("emitted", first.Configuration.Job);
        var results = store.GetResults(Machine.Key, first.Configuration.Key);
        Assert.Equal(2, results.Count);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 15, 0, TimeSpan.FromHours(1)), results[HashA].MeasuredAt);
        Assert.Equal(0.005, results[HashB].Statistics!.Median, 12);

        var second = Assert.Single(new ResultImporter(store).Import([path]));
        Assert.Equal(0, second.Imported);
        Assert.Equal(2, second.Unchanged);
        Assert.Equal(results, store.GetResults(Machine.Key, first.Configuration.Key));
    }

    [Fact]
    public void OlderRunNeverReplacesANewerOneAndAFailureNeverHidesASuccess()
    {
        WriteSystem(TimeSpan.Zero);
        var newer = WriteReport("new-report-full.json", "20261123-120000", Case(HashA, [1, 2, 3]));
        var older = WriteReport("old-report-full.json", "20261122-120000", Case(HashA, [7, 8, 9]));
        var failed = WriteReport("failed-report-full.json", "20261124-120000", $$"""{ "Type": "BrickBenchmarks", "Parameters": "Brick={{HashA}}", "Statistics": null }""");
        using var store = new SqliteResultStore(DbPath);
        var importer = new ResultImporter(store);

        importer.Import([newer]);
        var fromOlder = Assert.Single(importer.Import([older]));
        var fromFailed = Assert.Single(importer.Import([failed]));

        Assert.Equal(1, fromOlder.Unchanged);
        Assert.Single(fromFailed.Failed);
        var stored = store.GetResults(Machine.Key, fromOlder.Configuration.Key)[HashA];
        Assert.True(stored.Succeeded);
        Assert.Equal(0.002, stored.Statistics!.Median, 12);
    }

    [Fact]
    public void ReportWithoutSystemDescriptionFailsNamingItAndWritesNothing()
    {
        var path = WriteReport("r-report-full.json", "20261123-101500", Case(HashA, [1, 2, 3]));
        using var store = new SqliteResultStore(DbPath);

        var e = Assert.Throws<InvalidDataException>(() => new ResultImporter(store).Import([path]));
        Assert.Contains(path, e.Message);
        Assert.Contains("system.json", e.Message);
        Assert.Empty(store.ListSystems());
    }

    [Fact]
    public void FileThatIsNotABenchmarkDotNetExportIsRejected()
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, "catalog.json");
        File.WriteAllText(path, """{ "bricks": [] }""");
        var e = Assert.Throws<InvalidDataException>(() => BdnJsonReport.Read(path));
        Assert.Contains(path, e.Message);
    }

    /// <summary>A brick case whose Result measurements are <paramref name="microseconds"/> per op; statistics as BDN computes them with the upper outlier removed.</summary>
    private static string Case(string hash, double[] microseconds)
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

    private string WriteReport(string name, string stamp, params string[] benchmarks)
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

    private void WriteSystem(TimeSpan offset)
    {
        Directory.CreateDirectory(Artifacts);
        var record = new SuiteRunRecord(Machine, new SuiteOptions().ToRunConfiguration(), new DateTimeOffset(2026, 11, 23, 10, 20, 0, offset));
        File.WriteAllText(Path.Combine(Artifacts, EmittedSuite.SystemFileName), JsonSerializer.Serialize(record, CatalogJson.Options));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }
}
